import type { ApprovalDetail, BillAction } from '../app/types';
import { actionLabel } from './bill-actions';

/** One entry of the bill page's timeline: a bill action, or an approval-process fact billing does not record. */
export interface TimelineEntry {
  key: string;
  /** Bill event type (`BillSent`…) or `ApprovalStepApproved` / `ApprovalRejected` / `ApprovalCancelled`. */
  type: string;
  label: string;
  actor: { name: string; role: string } | null;
  at: string;
  comment: string | null;
  /** The bill action (revertable ones get a button); undefined for approval entries. */
  action?: BillAction;
}

/**
 * The bill's timeline: its actions (billing's stream), completed with the approval processes' history
 * (`GET /api/approvals/:billId`): an approval step or rejection that billing's stream lacks is added
 * as its own entry, and an approval recorded by billing without its comment gets the approver's comment
 * from the approvals service (matched by approver user id, in order). When `upTo` is given (viewing an
 * earlier version) approval facts after that instant are left out. Sorted by time (stable; bill actions
 * first on ties).
 */
export function buildTimeline(actions: readonly BillAction[], approval: ApprovalDetail | undefined, upTo?: string): TimelineEntry[] {
  const entries: TimelineEntry[] = actions.map((a) => ({
    key: a.actionId,
    type: a.type,
    label: actionLabel(a.type),
    actor: { name: a.actor.name, role: a.actor.role },
    at: a.at,
    comment: a.comment && a.comment.trim() !== '' ? a.comment : null,
    action: a,
  }));
  const used = new Set<string>();
  const limit = upTo === undefined ? Infinity : Date.parse(upTo);
  const processes = approval ? [...approval.past].reverse().concat([approval.current]) : [];
  for (const process of processes) {
    for (const fact of process.history ?? []) {
      if (Date.parse(fact.at) > limit) continue;
      const kind = fact.action === 'step_approved' ? 'approve' : fact.action === 'rejected' ? 'reject' : fact.action === 'cancelled' ? 'cancel' : null;
      if (kind === null) continue;
      const types = kind === 'approve' ? ['BillApprovalStepRecorded', 'BillApproved'] : kind === 'reject' ? ['BillRejected'] : [];
      const match = entries.find((e) => e.action && !used.has(e.key) && types.includes(e.type) && e.action.actor.userId === fact.actor?.userId);
      const step = process.steps.find((s) => s.index === fact.stepIndex);
      if (match) {
        used.add(match.key);
        if (match.comment === null && fact.comment.trim() !== '') match.comment = fact.comment;
        continue;
      }
      entries.push({
        key: `${process.processId}-${fact.action}-${fact.stepIndex ?? ''}-${fact.at}`,
        type: kind === 'approve' ? 'ApprovalStepApproved' : kind === 'reject' ? 'ApprovalRejected' : 'ApprovalCancelled',
        label: kind === 'approve' ? `Approved${step ? ` (${step.label})` : ''}` : kind === 'reject' ? `Rejected${step ? ` (${step.label})` : ''}` : 'Approval cancelled',
        actor: fact.actor ? { name: fact.actor.name, role: fact.actor.role ?? '' } : null,
        at: fact.at,
        comment: fact.comment.trim() !== '' ? fact.comment : null,
      });
    }
  }
  return entries
    .map((entry, index) => ({ entry, index, time: Date.parse(entry.at) }))
    .sort((a, b) => a.time - b.time || (a.entry.action ? 0 : 1) - (b.entry.action ? 0 : 1) || a.index - b.index)
    .map((x) => x.entry);
}
