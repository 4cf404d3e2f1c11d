import type { CliCommand, CliContext } from '@billing/service-kit';

/** Prints a problem-details answer (or the status) and returns exit code 1. */
async function printProblem(response: Response, context: CliContext): Promise<number> {
  const text = await response.text();
  try {
    const problem = JSON.parse(text) as { code?: string; detail?: string; errors?: { field: string; message: string }[] };
    context.print(`error ${response.status} ${problem.code ?? ''}: ${problem.detail ?? text}`);
    for (const error of problem.errors ?? []) context.print(`  ${error.field}: ${error.message}`);
  } catch {
    context.print(`error ${response.status}: ${text}`);
  }
  return 1;
}

async function printJson(response: Response, context: CliContext): Promise<number> {
  if (!response.ok) return printProblem(response, context);
  context.print(JSON.stringify(await response.json(), null, 2));
  return 0;
}

/**
 * Platform CLI commands of the approvals service (wired into `apps/cli`); each calls the HTTP API:
 * - `approvals inbox [pending|approved|rejected|all]` → `GET /api/approvals?assignee=me&status=…`;
 * - `approvals show <billId>` → `GET /api/approvals/:billId`;
 * - `approvals policy get <customerId>` / `approvals policy set <customerId> <policy.json>` →
 *   `GET` / `PUT /api/customers/:customerId/approval-policy` (the file holds `{ "steps": [...] }` or `{ "steps": null }`).
 * Exit codes: 0 success, 1 the API refused (its problem is printed), 2 bad usage.
 */
export const approvalsCommands: CliCommand[] = [
  {
    name: ['approvals', 'inbox'],
    usage: '[pending|approved|rejected|all]',
    description: "Lists the bills in the caller's approvals inbox.",
    async run(args, context) {
      const status = args[0] ?? 'pending';
      if (!['pending', 'approved', 'rejected', 'all'].includes(status) || args.length > 1) return 2;
      const response = await context.api(`/api/approvals?assignee=me&status=${status}&limit=500`);
      if (!response.ok) return printProblem(response, context);
      const page = (await response.json()) as { items: { billId: string; customerId: string; period: string; status: string; amount: { amount: string | null; currency: string } }[]; total: number };
      for (const item of page.items) context.print(`${item.billId}  ${item.customerId}  ${item.period}  ${item.amount.amount ?? ''} ${item.amount.currency}  ${item.status}`);
      context.print(`${page.total} bill(s)`);
      return 0;
    },
  },
  {
    name: ['approvals', 'show'],
    usage: '<billId>',
    description: "Shows a bill's approval processes: steps, who acted, when, comments.",
    async run(args, context) {
      if (args.length !== 1) return 2;
      return printJson(await context.api(`/api/approvals/${encodeURIComponent(args[0]!)}`), context);
    },
  },
  {
    name: ['approvals', 'policy', 'get'],
    usage: '<customerId>',
    description: "Shows a customer's approval policy.",
    async run(args, context) {
      if (args.length !== 1) return 2;
      return printJson(await context.api(`/api/customers/${encodeURIComponent(args[0]!)}/approval-policy`), context);
    },
  },
  {
    name: ['approvals', 'policy', 'set'],
    usage: '<customerId> <policy.json>',
    description: "Replaces a customer's approval policy with the steps of a JSON file ({\"steps\": null} clears it).",
    async run(args, context) {
      if (args.length !== 2) return 2;
      const body = await context.readFile(args[1]!);
      return printJson(
        await context.api(`/api/customers/${encodeURIComponent(args[0]!)}/approval-policy`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body }),
        context,
      );
    },
  },
];
