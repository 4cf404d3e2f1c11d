import type { CliCommand, CliContext } from '@billing/service-kit';

/** The answer of `POST /api/users/import`. */
interface ImportReportBody {
  created: number;
  existing: number;
  rejected: { line: number; reason: string }[];
  setupTokens: { userId: string; name: string; token: string; expiresAt: string }[];
}

async function printProblem(response: Response, context: CliContext): Promise<void> {
  const text = await response.text();
  try {
    const problem = JSON.parse(text) as { code?: string; detail?: string };
    context.print(`error ${response.status} ${problem.code ?? ''}: ${problem.detail ?? text}`);
  } catch {
    context.print(`error ${response.status}: ${text}`);
  }
}

/**
 * `import users <users.csv>`: sends the CSV to `POST /api/users/import` (an Admin's token), prints the
 * counts, each rejected line with its reason, and the one-time password-setup token of each created
 * user (hand each token to its user; it works once, for 7 days, at `POST /api/users/password-setup`).
 * Exit 0 when the request succeeded (even with rejected rows), 1 on an API error, 2 on bad usage.
 */
export const importUsersCommand: CliCommand = {
  name: ['import', 'users'],
  usage: '<users.csv>',
  description: 'Import users (name,email,role) and print their one-time password-setup tokens',
  async run(args, context) {
    const [file] = args;
    if (!file || args.length !== 1) {
      context.print('usage: import users <users.csv>');
      return 2;
    }
    const csv = await context.readFile(file);
    const response = await context.api('/api/users/import', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
    if (!response.ok) {
      await printProblem(response, context);
      return 1;
    }
    const report = (await response.json()) as ImportReportBody;
    context.print(`users: ${report.created} created, ${report.existing} already present, ${report.rejected.length} rejected`);
    for (const row of report.rejected) context.print(`  line ${row.line}: rejected: ${row.reason}`);
    if (report.setupTokens.length > 0) {
      context.print('one-time password-setup tokens (POST /api/users/password-setup { token, password }):');
      for (const entry of report.setupTokens) context.print(`  ${entry.name}\t${entry.userId}\t${entry.token}\texpires ${entry.expiresAt}`);
    }
    return 0;
  },
};

/** The identity service's commands of the platform CLI (wired into `apps/cli` by the lead). */
export const identityCommands: CliCommand[] = [importUsersCommand];
