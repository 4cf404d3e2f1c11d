import { useState } from 'react';
import { Link } from 'react-router';
import { useCustomersQuery, useDecideMutation, useInboxQuery } from '../app/api';
import type { InboxItem } from '../app/types';
import { formatInstant, formatMoney, formatPeriod } from '../domain/format';
import { ErrorMessage, Loading, Notice, PageTitle } from '../components/status';

/**
 * `/approvals`: my inbox (`GET /api/approvals?assignee=me&status=pending`, polled every 5 s): the bills
 * whose open approval step I may act on, each with approve / reject (reject needs a comment), and what
 * I decided already (`status=all`).
 */
export function Approvals() {
  const [show, setShow] = useState<'pending' | 'all'>('pending');
  const inbox = useInboxQuery({ status: show, limit: 100 }, { pollingInterval: 5000, skipPollingIfUnfocused: true });
  const customers = useCustomersQuery({ limit: 500 });
  const nameOf = (id: string) => customers.data?.items.find((c) => c.customerId === id)?.name ?? id;
  const [message, setMessage] = useState<string | null>(null);
  return (
    <>
      <PageTitle>Approvals</PageTitle>
      <div role="group" aria-label="Inbox" className="tabs">
        <button type="button" aria-pressed={show === 'pending'} className={show === 'pending' ? 'active' : ''} onClick={() => setShow('pending')}>
          Waiting for me
        </button>
        <button type="button" aria-pressed={show === 'all'} className={show === 'all' ? 'active' : ''} onClick={() => setShow('all')}>
          All I acted on or may act on
        </button>
      </div>
      <div aria-live="polite">
        <Notice>{message}</Notice>
      </div>
      <ErrorMessage error={inbox.error} />
      {inbox.isLoading ? <Loading label="Loading your inbox…" /> : null}
      {inbox.data ? (
        inbox.data.items.length === 0 ? (
          <p>{show === 'pending' ? 'Nothing waits for your approval.' : 'No approvals yet.'}</p>
        ) : (
          <ul className="inbox">
            {inbox.data.items.map((item) => (
              <InboxEntry key={item.processId} item={item} customerName={nameOf(item.customerId)} onDone={setMessage} />
            ))}
          </ul>
        )
      ) : null}
    </>
  );
}

function InboxEntry({ item, customerName, onDone }: { item: InboxItem; customerName: string; onDone: (message: string) => void }) {
  const [comment, setComment] = useState('');
  const [missing, setMissing] = useState(false);
  const [decide, state] = useDecideMutation();
  const title = `${customerName} — ${formatPeriod(item.period)}`;
  const open = item.steps.find((s) => s.index === item.openStepIndex);
  const commentId = `comment-${item.processId}`;
  const act = async (decision: 'approve' | 'reject') => {
    if (decision === 'reject' && comment.trim() === '') {
      setMissing(true);
      document.getElementById(commentId)?.focus();
      return;
    }
    const ok = await decide({ billId: item.billId, decision, comment })
      .unwrap()
      .then(() => true)
      .catch(() => false);
    if (ok) onDone(`${decision === 'approve' ? 'Approved' : 'Rejected'}: ${title}.`);
  };
  return (
    <li className="card inbox-item" aria-labelledby={`title-${item.processId}`}>
      <h2 id={`title-${item.processId}`}>
        <Link to={`/bills/${encodeURIComponent(item.billId)}`}>{title}</Link>
      </h2>
      <p>
        {formatMoney(item.amount)} · submitted by {item.submittedBy.name} on {formatInstant(item.openedAt)}
        {open ? ` · waiting for: ${open.label}` : ''}
      </p>
      <ol className="steps">
        {item.steps.map((s) => (
          <li key={s.index} className={`step step-${s.status}`}>
            {s.label}: {s.status}
            {s.actedBy ? ` by ${s.actedBy.name}` : ''}
            {s.comment ? <q>{s.comment}</q> : null}
          </li>
        ))}
      </ol>
      {item.myStatus === 'pending' ? (
        <form onSubmit={(e) => e.preventDefault()} className="decision">
          <label htmlFor={commentId}>Comment (required to reject)</label>
          <textarea id={commentId} rows={2} value={comment} aria-invalid={missing} onChange={(e) => (setComment(e.target.value), setMissing(false))} />
          {missing ? (
            <p className="field-error" role="alert">
              Say why the bill is rejected.
            </p>
          ) : null}
          <div className="buttons">
            <button type="button" className="primary" disabled={state.isLoading} onClick={() => act('approve')} aria-label={`Approve ${title}`}>
              Approve
            </button>
            <button type="button" className="danger" disabled={state.isLoading} onClick={() => act('reject')} aria-label={`Reject ${title}`}>
              Reject
            </button>
          </div>
          <ErrorMessage error={state.error} />
        </form>
      ) : (
        <p>
          You {item.myStatus} this bill.
        </p>
      )}
    </li>
  );
}
