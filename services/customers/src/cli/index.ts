import type { CliCommand, CliContext } from '@billing/service-kit';

/** A rejected import row as the API reports it. */
interface RejectedRow {
  line: number;
  field: string;
  reason: string;
}

/** Posts the CSV file `args[0]` to `path` and prints the report; exit 0 when every row went in, 1 otherwise, 2 on bad usage. */
async function importCsv(what: string, path: string, args: readonly string[], context: CliContext): Promise<number> {
  if (args.length !== 1) {
    context.print(`usage: import ${what} <${what}.csv>`);
    return 2;
  }
  let csv: string;
  try {
    csv = await context.readFile(args[0]!);
  } catch (error) {
    context.print(`cannot read ${args[0]}: ${(error as Error).message}`);
    return 2;
  }
  const progress = context.progress(`Importing ${what}`, 1);
  const response = await context.api(path, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
  progress.update(1);
  progress.stop();
  const body = (await response.json().catch(() => ({}))) as { created?: number; corrected?: number; unchanged?: number; rejected?: RejectedRow[]; detail?: string; code?: string };
  if (!response.ok) {
    context.print(`import failed: ${response.status} ${body.code ?? ''} ${body.detail ?? ''}`.trim());
    return 1;
  }
  const corrected = body.corrected === undefined ? '' : `, ${body.corrected} corrected`;
  context.print(`${what}: ${body.created ?? 0} created${corrected}, ${body.unchanged ?? 0} unchanged, ${body.rejected?.length ?? 0} rejected`);
  for (const row of body.rejected ?? []) context.print(`  line ${row.line}: ${row.field}: ${row.reason}`);
  return (body.rejected?.length ?? 0) > 0 ? 1 : 0;
}

/**
 * The customers service's CLI commands (wired into `apps/cli` by the platform):
 * - `import customers <customers.csv>` → `POST /api/customers/import`;
 * - `import usages <usages.csv>` → `POST /api/usage/import`.
 * Both print the created/unchanged counts and each rejected line; idempotent (re-running creates nothing).
 */
export const customersCommands: CliCommand[] = [
  {
    name: ['import', 'customers'],
    usage: '<customers.csv>',
    description: 'Import customers and their contract terms (BillProcess customers.csv format)',
    run: (args, context) => importCsv('customers', '/api/customers/import', args, context),
  },
  {
    name: ['import', 'usages'],
    usage: '<usages.csv>',
    description: 'Import monthly API usage totals (BillProcess usages.csv format); past months are closed',
    run: (args, context) => importCsv('usages', '/api/usage/import', args, context),
  },
];
