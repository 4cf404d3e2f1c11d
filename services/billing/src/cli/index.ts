import type { CliCommand, CliContext } from '@billing/service-kit';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Prints a problem answer (RFC 9457) or status line. */
async function printProblem(context: CliContext, what: string, response: Response): Promise<void> {
  const text = await response.text();
  let detail = text;
  try {
    const problem = JSON.parse(text) as { code?: string; detail?: string };
    detail = `${problem.code ?? response.status}: ${problem.detail ?? text}`;
  } catch {
    // not JSON: print as is
  }
  context.print(`${what} failed (HTTP ${response.status}) ${detail}`);
}

interface RunProgress {
  runId: string;
  status: string;
  total: number;
  processed: number;
  drafted: number;
  skipped: Record<string, number>;
  failed: number;
}

/** How often the commands poll progress, in milliseconds. */
export const POLL_MS = { value: 500 };

/**
 * `bill-run <yyyy-mm>`: starts (or finds) the month-end bill run of the period through
 * `POST /api/bill-runs`, then polls `GET /api/bill-runs/:runId` with a progress bar until it finishes.
 * Exit codes: 0 finished, 1 refused or failed customers, 2 bad usage.
 */
export const billRunCommand: CliCommand = {
  name: ['bill-run'],
  usage: '<yyyy-mm>',
  description: 'Run the month-end bill run of a period (idempotent; resumes an unfinished run) with a progress bar',
  async run(args, context) {
    const period = args[0];
    if (args.length !== 1 || !period || !/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) {
      context.print('usage: bill-run <yyyy-mm>');
      return 2;
    }
    const started = await context.api('/api/bill-runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ period }) });
    if (started.status !== 202) {
      await printProblem(context, `bill run ${period}`, started);
      return 1;
    }
    let run = (await started.json()) as RunProgress;
    const bar = context.progress(`bill run ${period}`, run.total);
    for (;;) {
      bar.update(run.processed, `${run.drafted} drafted`);
      if (run.status === 'finished') break;
      await sleep(POLL_MS.value);
      const response = await context.api(`/api/bill-runs/${run.runId}`);
      if (!response.ok) {
        bar.stop();
        await printProblem(context, `bill run ${period}`, response);
        return 1;
      }
      run = (await response.json()) as RunProgress;
    }
    bar.stop();
    const skipped = Object.entries(run.skipped).map(([reason, count]) => `${reason} ${count}`).join(', ') || 'none';
    context.print(`bill run ${period}: ${run.processed}/${run.total} customers, ${run.drafted} drafted, skipped: ${skipped}, failed ${run.failed}`);
    return run.failed > 0 ? 1 : 0;
  },
};

/**
 * `import bills <bills.json>`: imports historical bills (`seed/bill-process/bills.json` format) through
 * `POST /api/bills/import` and prints what was imported, skipped (already there) and rejected (with
 * the bill's index in the file and the reason). Exit 1 when any bill was rejected.
 */
export const importBillsCommand: CliCommand = {
  name: ['import', 'bills'],
  usage: '<bills.json>',
  description: 'Import historical bills with their actions and original actors (idempotent)',
  async run(args, context) {
    if (args.length !== 1) {
      context.print('usage: import bills <bills.json>');
      return 2;
    }
    let body: string;
    try {
      body = await context.readFile(args[0]!);
      JSON.parse(body);
    } catch (error) {
      context.print(`cannot read ${args[0]}: ${error instanceof Error ? error.message : String(error)}`);
      return 2;
    }
    const response = await context.api('/api/bills/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    if (!response.ok) {
      await printProblem(context, 'import bills', response);
      return 1;
    }
    const report = (await response.json()) as { imported: string[]; skipped: { index: number; billId: string; reason: string }[]; rejected: { index: number; reason: string }[] };
    context.print(`imported ${report.imported.length}, skipped ${report.skipped.length} (already there), rejected ${report.rejected.length}`);
    for (const r of report.rejected) context.print(`  bills[${r.index}]: ${r.reason}`);
    return report.rejected.length > 0 ? 1 : 0;
  },
};

/**
 * `replay billing`: rebuilds every billing read model from zero (`POST /api/billing/replay`, Admin) and
 * shows a progress bar polling `GET /api/billing/replay`. Exit 1 when the replay failed.
 */
export const replayBillingCommand: CliCommand = {
  name: ['replay', 'billing'],
  usage: '',
  description: 'Rebuild every billing read model from its events, with a progress bar',
  async run(args, context) {
    if (args.length !== 0) {
      context.print('usage: replay billing');
      return 2;
    }
    const started = await context.api('/api/billing/replay', { method: 'POST' });
    if (started.status !== 202) {
      await printProblem(context, 'replay billing', started);
      return 1;
    }
    let progress = (await started.json()) as { status: string; total: number; processed: number; eventsPerSecond: number | null; error: string | null };
    const bar = context.progress('replay billing');
    for (;;) {
      if (progress.total > 0) bar.setTotal(progress.total);
      bar.update(progress.processed);
      if (progress.status !== 'running') break;
      await sleep(POLL_MS.value);
      const response = await context.api('/api/billing/replay');
      if (!response.ok) {
        bar.stop();
        await printProblem(context, 'replay billing', response);
        return 1;
      }
      progress = (await response.json()) as typeof progress;
    }
    bar.stop();
    if (progress.status === 'failed') {
      context.print(`replay failed: ${progress.error ?? 'unknown error'}`);
      return 1;
    }
    context.print(`replayed ${progress.processed} events (${progress.eventsPerSecond ?? '?'} events/s)`);
    return 0;
  },
};

/** The billing service's commands for the platform CLI (`apps/cli`). */
export const billingCommands: CliCommand[] = [billRunCommand, importBillsCommand, replayBillingCommand];
