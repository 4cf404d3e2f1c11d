import { approvalsCommands } from '@billing/approvals-service';
import { billingCommands } from '@billing/billing-service';
import { customersCommands } from '@billing/customers-service/cli';
import { identityCommands } from '@billing/identity-service';
import type { CliCommand } from '@billing/service-kit';

/** Every command of the platform CLI, contributed by the services (see each service's `src/cli/`). */
export const COMMANDS: readonly CliCommand[] = [...identityCommands, ...customersCommands, ...billingCommands, ...approvalsCommands];

/** The command whose name starts `argv`, and the remaining arguments; `undefined` when none matches. */
export function findCommand(argv: readonly string[], commands: readonly CliCommand[] = COMMANDS): { command: CliCommand; args: string[] } | undefined {
  const matches = commands
    .filter((command) => command.name.every((word, index) => argv[index] === word))
    .sort((a, b) => b.name.length - a.name.length);
  const command = matches[0];
  return command ? { command, args: argv.slice(command.name.length) } : undefined;
}

/** The help text: usage, environment and one line per command. */
export function helpText(commands: readonly CliCommand[] = COMMANDS): string {
  const lines = commands.map((command) => `  ${[...command.name, command.usage].join(' ').padEnd(36)} ${command.description}`);
  return [
    'Usage: npm run cli -- <command> [arguments]',
    '',
    'Commands:',
    ...lines,
    '',
    'Environment: BILLING_URL (default http://localhost:3000), and BILLING_TOKEN or BILLING_USER + BILLING_PASSWORD.',
  ].join('\n');
}
