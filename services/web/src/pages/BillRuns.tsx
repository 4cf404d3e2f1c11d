import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useBillRunQuery, useBillRunsQuery, useStartBillRunMutation } from '../app/api';
import { useAppSelector } from '../app/store';
import type { BillRun } from '../app/types';
import { formatInstant, formatPeriod } from '../domain/format';
import { ErrorMessage, Loading, PageTitle } from '../components/status';

/** The previous calendar month `yyyy-mm` (the usual month-end run). */
export function previousMonth(now = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}

function skippedCount(run: BillRun): number {
  return typeof run.skipped === 'number' ? run.skipped : Object.values(run.skipped ?? {}).reduce((a, b) => a + b, 0);
}

/** A run's progress: a `<progress>` bar and the counts (announced as they change). */
function RunProgress({ runId }: { runId: string }) {
  const [finished, setFinished] = useState(false);
  const run = useBillRunQuery(runId, { pollingInterval: finished ? 0 : 1000 });
  const r = run.data;
  useEffect(() => {
    if (r && r.status !== 'running') setFinished(true);
  }, [r]);
  if (!r) return run.error ? <ErrorMessage error={run.error} /> : <Loading label="Starting…" />;
  return (
    <section aria-labelledby="progress-title" className="card" data-testid="run-progress">
      <h2 id="progress-title">Run for {formatPeriod(r.period)}</h2>
      <progress max={Math.max(1, r.total)} value={r.processed} aria-label="Customers processed" />
      <p aria-live="polite" data-testid="run-status">
        Status: <strong>{r.status}</strong> · {r.processed} of {r.total} customers processed · {r.drafted} drafted · {skippedCount(r)} skipped · {r.failed} failed
      </p>
      {r.status !== 'running' ? (
        <p>
          <Link to={`/dashboard?period=${r.period}`}>See the bills of {formatPeriod(r.period)}</Link>
        </p>
      ) : null}
    </section>
  );
}

/** `/bill-runs`: start a month-end run (Finance, Admin: `POST /api/bill-runs { period }`), watch its progress, past runs. */
export function BillRuns() {
  const role = useAppSelector((s) => s.auth.user?.role);
  const runs = useBillRunsQuery({ limit: 50 }, { pollingInterval: 5000, skipPollingIfUnfocused: true });
  const [start, startState] = useStartBillRunMutation();
  const [watching, setWatching] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const mayStart = role === 'Finance' || role === 'Admin';
  const onStart = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const period = String(new FormData(event.currentTarget).get('period') ?? '');
    const run = await start({ period })
      .unwrap()
      .catch(() => undefined);
    if (run) {
      setWatching(run.runId);
      setNote(run.created === false ? `A run for ${formatPeriod(period)} exists already: showing it.` : null);
    }
  };
  return (
    <>
      <PageTitle>Bill runs</PageTitle>
      {mayStart ? (
        <form onSubmit={onStart} className="filters card" aria-labelledby="start-title">
          <h2 id="start-title">Start a month-end run</h2>
          <label>
            Billing period
            <input type="month" name="period" defaultValue={previousMonth()} required />
          </label>
          <button type="submit" className="primary" disabled={startState.isLoading}>
            {startState.isLoading ? 'Starting…' : 'Start bill run'}
          </button>
          <ErrorMessage error={startState.error} />
        </form>
      ) : (
        <p>Only Finance and Admin start bill runs.</p>
      )}
      {note ? <p role="status">{note}</p> : null}
      {watching ? <RunProgress key={watching} runId={watching} /> : null}
      <section aria-labelledby="runs-title">
        <h2 id="runs-title">Runs</h2>
        <ErrorMessage error={runs.error} />
        {runs.isLoading ? <Loading /> : null}
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Period</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Processed
                </th>
                <th scope="col" className="num">
                  Drafted
                </th>
                <th scope="col" className="num">
                  Skipped
                </th>
                <th scope="col" className="num">
                  Failed
                </th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              {(runs.data?.items ?? []).map((r) => (
                <tr key={r.runId}>
                  <td data-label="Period">
                    <button type="button" className="link" onClick={() => setWatching(r.runId)}>
                      {formatPeriod(r.period)}
                    </button>
                  </td>
                  <td data-label="Status">{r.status}</td>
                  <td data-label="Processed" className="num">
                    {r.processed} / {r.total}
                  </td>
                  <td data-label="Drafted" className="num">
                    {r.drafted}
                  </td>
                  <td data-label="Skipped" className="num">
                    {skippedCount(r)}
                  </td>
                  <td data-label="Failed" className="num">
                    {r.failed}
                  </td>
                  <td data-label="Started">{formatInstant(r.startedAt)}</td>
                </tr>
              ))}
              {runs.data && runs.data.items.length === 0 ? (
                <tr>
                  <td colSpan={7}>No runs yet.</td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
