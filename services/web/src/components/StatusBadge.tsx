import { statusLabel } from '../domain/bill-actions';

/** A bill status as a coloured badge with its text (colour is never the only cue). */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-${status}`}>{statusLabel(status)}</span>;
}
