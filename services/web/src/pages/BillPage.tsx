import { useEffect, useState, type FormEvent } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useAdjustBillMutation, useApprovalQuery, useBillCommandMutation, useBillQuery, useDecideMutation, useRevertActionMutation } from '../app/api';
import { statusOf } from '../app/errors';
import { useAppSelector } from '../app/store';
import type { ApprovalDetail, BillDetail } from '../app/types';
import { buildTimeline, type TimelineEntry } from '../domain/timeline';
import { actionLabel, billCommands, canRevertAction, mayDecideOpenStep, type BillCommand } from '../domain/bill-actions';
import { formatCount, formatInstant, formatMoney, formatPeriod } from '../domain/format';
import { StatusBadge } from '../components/StatusBadge';
import { ErrorMessage, Loading, Notice, PageTitle } from '../components/status';

/**
 * `/bills/:id`: the bill (`GET /api/bills/:id`, polled every 5 s), its amounts and contract terms, the
 * action timeline (who, when, comment; revert with a reason), the approval steps, the buttons the
 * user's role and the bill's status allow ({@link billCommands}) and an "as of" control
 * (`?version=n`) that shows the bill at an earlier version (read-only).
 * Mutations send `If-Match` with the version shown; a 412 reloads the bill and says why.
 */
export function BillPage() {
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const asOf = params.get('version') ? Number(params.get('version')) : undefined;
  const me = useAppSelector((s) => s.auth.user);
  const role = me?.role ?? null;
  const current = useBillQuery({ billId: id }, { pollingInterval: 5000, skipPollingIfUnfocused: true });
  const past = useBillQuery({ billId: id, version: asOf }, { skip: asOf === undefined });
  const approval = useApprovalQuery(id, { pollingInterval: 5000, skipPollingIfUnfocused: true });
  const [message, setMessage] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  const latest = current.data;
  const bill = asOf !== undefined ? past.data : latest;
  const viewingPast = asOf !== undefined && latest !== undefined && asOf < latest.currentVersion;

  /** Runs a mutation: success message, or the error (a 412 also reloads the bill). */
  const run = async (label: string, mutation: () => Promise<unknown>): Promise<boolean> => {
    setMessage(null);
    setActionError(null);
    try {
      await mutation();
      setMessage(`${label}: done.`);
      return true;
    } catch (error) {
      setActionError(error);
      if (statusOf(error) === 412) void current.refetch();
      return false;
    }
  };

  if (current.isLoading) return <Loading label="Loading the bill…" />;
  if (!latest || !bill) {
    return (
      <>
        <PageTitle>Bill</PageTitle>
        <ErrorMessage error={current.error ?? past.error} />
        {past.isLoading ? <Loading /> : null}
        <p>
          <Link to="/dashboard">Back to the bills</Link>
        </p>
      </>
    );
  }
  const commands = billCommands(role, bill.status, { asOf: viewingPast, mayDecide: mayDecideOpenStep(approval.data?.current, me) });
  return (
    <>
      <p className="breadcrumb">
        <Link to="/dashboard">Bills</Link> /
      </p>
      <PageTitle>
        {`${bill.customerName ?? bill.customerId} — ${formatPeriod(bill.period)}`}
      </PageTitle>
      <p className="bill-status">
        Status: <StatusBadge status={bill.status} /> <span className="muted">version {bill.version}</span>
      </p>
      <AsOfControl latest={latest} asOf={viewingPast ? asOf : undefined} onChange={(v) => setParams(v === undefined ? {} : { version: String(v) })} />
      {viewingPast ? (
        <div className="message warning" role="status">
          You are looking at version {bill.version} of {latest.currentVersion}, as the bill was after “{actionLabel(bill.actions.at(-1)?.type ?? '')}”. Nothing can be changed here.{' '}
          <button type="button" className="link" onClick={() => setParams({})}>
            Show the current bill
          </button>
        </div>
      ) : null}
      <ErrorMessage error={past.error} />
      <div aria-live="polite" aria-atomic="true">
        <Notice>{message}</Notice>
      </div>
      <ErrorMessage error={actionError} />
      <div className="bill-grid">
        <Amounts bill={bill} />
        <Terms bill={bill} />
      </div>
      {commands.length > 0 ? (
        <Commands
          bill={bill}
          commands={commands}
          run={run}
          refreshing={current.isFetching}
        />
      ) : null}
      <Timeline bill={bill} commands={commands} run={run} approval={approval.data} upTo={viewingPast ? bill.actions.at(-1)?.at : undefined} />
      {approval.data ? (
        <section aria-labelledby="steps-title">
          <h2 id="steps-title">Approval steps</h2>
          <ol className="steps">
            {approval.data.current.steps.map((s) => (
              <li key={s.index} className={`step step-${s.status}`}>
                <strong>{s.label}</strong>: {s.status}
                {s.actedBy ? ` by ${s.actedBy.name}` : ''}
                {s.actedAt ? `, ${formatInstant(s.actedAt)}` : ''}
                {s.comment ? <q>{s.comment}</q> : null}
              </li>
            ))}
          </ol>
        </section>
      ) : null}
    </>
  );
}

/** The "as of" control: the current bill or the bill after any earlier action (version). */
function AsOfControl({ latest, asOf, onChange }: { latest: BillDetail; asOf: number | undefined; onChange: (version: number | undefined) => void }) {
  return (
    <form className="as-of" onSubmit={(e) => e.preventDefault()}>
      <label>
        As of
        <select value={asOf ?? ''} onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}>
          <option value="">Now (version {latest.currentVersion})</option>
          {latest.actions
            .filter((a) => a.version < latest.currentVersion)
            .reverse()
            .map((a) => (
              <option key={a.version} value={a.version}>
                Version {a.version}: {actionLabel(a.type)} by {a.actor.name}, {formatInstant(a.at)}
              </option>
            ))}
        </select>
      </label>
    </form>
  );
}

function Amounts({ bill }: { bill: BillDetail }) {
  return (
    <section aria-labelledby="amounts-title" className="card">
      <h2 id="amounts-title">Amounts</h2>
      <dl className="facts">
        <dt>API calls</dt>
        <dd>{formatCount(bill.usageApiCalls)}</dd>
        <dt>Included</dt>
        <dd>{formatCount(bill.includedApiCalls)}</dd>
        <dt>Overage calls</dt>
        <dd>{formatCount(bill.overageUnits)}</dd>
        <dt>Unit price</dt>
        <dd>
          {bill.unitPrice} {bill.amount.currency}
        </dd>
        <dt>Overage amount</dt>
        <dd>{formatMoney(bill.overageAmount)}</dd>
        {bill.lines.map((l) => (
          <div key={l.lineId} className="fact-row">
            <dt>
              {l.kind}: {l.description}
            </dt>
            <dd>{formatMoney(l.amount)}</dd>
          </div>
        ))}
        <dt className="total">Total</dt>
        <dd className="total" data-testid="bill-total">
          {formatMoney(bill.amount)}
        </dd>
      </dl>
    </section>
  );
}

function Terms({ bill }: { bill: BillDetail }) {
  const t = bill.terms;
  return (
    <section aria-labelledby="terms-title" className="card">
      <h2 id="terms-title">Contract terms used</h2>
      <dl className="facts">
        <dt>Monthly API limit</dt>
        <dd>{formatCount(t.monthlyApiLimit)}</dd>
        <dt>Overage unit price</dt>
        <dd>
          {t.overageUnitPrice} {t.currency}
        </dd>
        <dt>Contract</dt>
        <dd>
          {t.startDate} – {t.endDate ?? 'open-ended'}
        </dd>
        <dt>CSM approval required</dt>
        <dd>{t.requireCsmApproval ? 'Yes' : 'No'}</dd>
        <dt>Grace months</dt>
        <dd>{t.overageGraceMonths}</dd>
        {t.effectiveFrom ? (
          <>
            <dt>Terms effective from</dt>
            <dd>{t.effectiveFrom}</dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

type Run = (label: string, mutation: () => Promise<unknown>) => Promise<boolean>;

/** The buttons the role and status allow. */
function Commands({ bill, commands, run, refreshing }: { bill: BillDetail; commands: BillCommand[]; run: Run; refreshing: boolean }) {
  const [command, state] = useBillCommandMutation();
  const [adjust, adjustState] = useAdjustBillMutation();
  const [decide, decideState] = useDecideMutation();
  const [approvalComment, setApprovalComment] = useState('');
  const [rejectMissing, setRejectMissing] = useState(false);
  const busy = state.isLoading || adjustState.isLoading || decideState.isLoading;
  const version = bill.currentVersion;
  const has = (c: BillCommand) => commands.includes(c);

  useEffect(() => setRejectMissing(false), [approvalComment]);

  const onDecide = async (decision: 'approve' | 'reject') => {
    if (decision === 'reject' && approvalComment.trim() === '') {
      setRejectMissing(true);
      document.getElementById('approval-comment')?.focus();
      return;
    }
    if (await run(decision === 'approve' ? 'Approved' : 'Rejected', () => decide({ billId: bill.billId, decision, comment: approvalComment }).unwrap())) setApprovalComment('');
  };
  const formText = (e: FormEvent<HTMLFormElement>, name: string) => String(new FormData(e.currentTarget).get(name) ?? '').trim();

  return (
    <section aria-labelledby="actions-title" className="card actions" aria-busy={busy || refreshing}>
      <h2 id="actions-title">Actions</h2>
      {has('approve') || has('reject') ? (
        <form className="decision" onSubmit={(e) => e.preventDefault()}>
          <label htmlFor="approval-comment">Approval comment {has('reject') ? '(required to reject)' : ''}</label>
          <textarea
            id="approval-comment"
            value={approvalComment}
            onChange={(e) => setApprovalComment(e.target.value)}
            aria-invalid={rejectMissing}
            aria-describedby={rejectMissing ? 'reject-hint' : undefined}
            rows={2}
          />
          {rejectMissing ? (
            <p id="reject-hint" className="field-error" role="alert">
              Say why the bill is rejected.
            </p>
          ) : null}
          <div className="buttons">
            {has('approve') ? (
              <button type="button" className="primary" disabled={busy} onClick={() => onDecide('approve')}>
                Approve
              </button>
            ) : null}
            {has('reject') ? (
              <button type="button" className="danger" disabled={busy} onClick={() => onDecide('reject')}>
                Reject
              </button>
            ) : null}
          </div>
        </form>
      ) : null}
      <div className="buttons">
        {has('submit') ? (
          <button type="button" className="primary" disabled={busy} onClick={() => run('Submitted for approval', () => command({ billId: bill.billId, version, command: 'submit' }).unwrap())}>
            Submit for approval
          </button>
        ) : null}
        {has('send') ? (
          <button type="button" className="primary" disabled={busy} onClick={() => run('Sent', () => command({ billId: bill.billId, version, command: 'send' }).unwrap())}>
            Send bill
          </button>
        ) : null}
      </div>
      {has('adjust') ? (
        <details>
          <summary>Adjust the unit price</summary>
          <form
            onSubmit={async (e) => {
              e.preventDefault();
              const form = e.currentTarget;
              if (await run('Unit price adjusted', () => adjust({ billId: bill.billId, version, unitPrice: formText(e, 'unitPrice'), reason: formText(e, 'reason') }).unwrap())) form.reset();
            }}
          >
            <label>
              New unit price ({bill.amount.currency})
              <input name="unitPrice" inputMode="decimal" pattern="^(0|[1-9]\d*)(\.\d{1,12})?$" defaultValue={bill.unitPrice} required />
            </label>
            <label>
              Reason
              <input name="reason" required />
            </label>
            <button type="submit" disabled={busy}>
              Save the new price
            </button>
          </form>
        </details>
      ) : null}
      {has('void') ? (
        <details>
          <summary>Void the bill</summary>
          <form
            onSubmit={async (e) => {
              e.preventDefault();
              const form = e.currentTarget;
              if (await run('Voided', () => command({ billId: bill.billId, version, command: 'void', reason: formText(e, 'reason') }).unwrap())) form.reset();
            }}
          >
            <label>
              Reason
              <input name="reason" required />
            </label>
            <button type="submit" className="danger" disabled={busy}>
              Void bill
            </button>
          </form>
        </details>
      ) : null}
      {has('comment') ? (
        <details>
          <summary>Add a comment</summary>
          <form
            onSubmit={async (e) => {
              e.preventDefault();
              const form = e.currentTarget;
              if (await run('Comment added', () => command({ billId: bill.billId, version, command: 'comments', comment: formText(e, 'comment') }).unwrap())) form.reset();
            }}
          >
            <label>
              Comment
              <textarea name="comment" rows={2} required />
            </label>
            <button type="submit" disabled={busy}>
              Add comment
            </button>
          </form>
        </details>
      ) : null}
    </section>
  );
}

/**
 * The action timeline: every action with who (name, role), when (UTC), the comment (approval comments
 * completed from the approvals service, see {@link buildTimeline}), and a revert form on revertable actions.
 */
function Timeline({ bill, commands, run, approval, upTo }: { bill: BillDetail; commands: BillCommand[]; run: Run; approval: ApprovalDetail | undefined; upTo: string | undefined }) {
  const [reverting, setReverting] = useState<string | null>(null);
  const [revert, revertState] = useRevertActionMutation();
  const byId = new Map(bill.actions.map((a) => [a.actionId, a]));
  const describe = (e: TimelineEntry) => {
    const a = e.action;
    if (a?.type === 'BillActionReverted') {
      const target = byId.get(String(a.details.revertedActionId ?? ''));
      return target ? `Reverted “${actionLabel(target.type)}” by ${target.actor.name}` : e.label;
    }
    if (a?.type === 'BillAdjusted') return `Unit price set to ${String(a.details.unitPrice ?? '')}`;
    return e.label;
  };
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <ol className="timeline" data-testid="timeline">
        {buildTimeline(bill.actions, approval, upTo).map((e) => {
          const a = e.action;
          return (
            <li key={e.key} className={a?.reverted ? 'reverted' : ''} data-action-type={e.type}>
              <div className="timeline-head">
                <strong className="action-label">{describe(e)}</strong>
                {a?.reverted ? <span className="badge">reverted</span> : null}
              </div>
              <div className="muted">
                by <span className="actor">{e.actor?.name ?? 'the system'}</span>
                {e.actor?.role ? ` (${e.actor.role})` : ''} · <time dateTime={e.at}>{formatInstant(e.at)}</time>
                {a ? ` · version ${a.version}` : ' · approvals'}
              </div>
              {e.comment ? <blockquote className="comment">{e.comment}</blockquote> : null}
              {a && canRevertAction(commands, a) ? (
                reverting === a.actionId ? (
                  <form
                    className="revert-form"
                    onSubmit={async (ev) => {
                      ev.preventDefault();
                      const reason = String(new FormData(ev.currentTarget).get('reason') ?? '').trim();
                      if (await run(`Reverted “${actionLabel(a.type)}”`, () => revert({ billId: bill.billId, version: bill.currentVersion, actionId: a.actionId, reason }).unwrap())) setReverting(null);
                    }}
                  >
                    <label>
                      Reason for reverting “{actionLabel(a.type)}”
                      <input name="reason" required autoFocus />
                    </label>
                    <button type="submit" className="danger" disabled={revertState.isLoading}>
                      Confirm revert
                    </button>
                    <button type="button" onClick={() => setReverting(null)}>
                      Cancel
                    </button>
                  </form>
                ) : (
                  <button type="button" className="small" aria-label={`Revert “${actionLabel(a.type)}” by ${a.actor.name}`} onClick={() => setReverting(a.actionId)}>
                    Revert
                  </button>
                )
              ) : null}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
