import { formatMinor } from '@billing/money';
import type { ApprovalActor, ProcessState, ProcessStatus } from '../process/approval.decider.js';

/** A person in a view: id, display name (from identity events, else the name at the time) and role. */
export interface PersonView {
  userId: string;
  name: string;
  role: string | null;
}

/** Status of one step in a view. */
export type StepStatus = 'approved' | 'open' | 'waiting' | 'rejected' | 'cancelled';

/** One step of a process as the API shows it. */
export interface StepView {
  index: number;
  label: string;
  approver: { kind: 'roles'; roles: string[] } | { kind: 'customer_csm'; csm: PersonView | null };
  condition: unknown;
  status: StepStatus;
  /** Who approved or rejected it, when, and their comment (null while open). */
  actedBy: PersonView | null;
  actedAt: string | null;
  comment: string | null;
}

/** One entry of the bill's approval history: every action with actor, time (UTC ISO 8601) and comment. */
export interface HistoryEntryView {
  action: 'submitted' | 'step_approved' | 'approved' | 'rejected' | 'cancelled';
  at: string;
  actor: PersonView | null;
  stepIndex: number | null;
  comment: string;
}

/** A bill's approval process as the API shows it (money as minor units plus a formatted `amount`). */
export interface ProcessView {
  processId: string;
  billId: string;
  generation: number;
  status: ProcessStatus;
  customerId: string;
  period: string;
  amount: { amountMinor: string; currency: string; amount: string | null };
  policySource: string;
  submittedBy: PersonView;
  draftedBy: PersonView;
  submitComment: string;
  openedAt: string;
  closedAt: string | null;
  /** Index of the step waiting for approval; null once the process ended. */
  openStepIndex: number | null;
  steps: StepView[];
  history: HistoryEntryView[];
}

function person(actor: ApprovalActor, names: ReadonlyMap<string, string>): PersonView {
  return { userId: actor.userId, name: names.get(actor.userId) ?? actor.name, role: actor.role };
}

function formatted(amountMinor: string, currency: string): string | null {
  try {
    return formatMinor(BigInt(amountMinor), currency);
  } catch {
    return null;
  }
}

/** Every user id a view of `process` names (to look up display names). */
export function userIdsOf(process: ProcessState, currentCsmUserId: string | null): string[] {
  const ids = [process.draftedByUserId, process.submittedBy.userId, ...process.approvals.map((a) => a.approver.userId)];
  if (process.rejection) ids.push(process.rejection.rejectedBy.userId);
  for (const step of process.steps) if (step.approver.kind === 'customer_csm') ids.push(step.approver.csmUserId ?? currentCsmUserId ?? '');
  return ids.filter((id) => id !== '');
}

/**
 * The view of one process. `names`: display names by user id; `currentCsmUserId`: the customer's CSM
 * now (shown on a CSM step resolved to nobody at submission).
 */
export function processView(process: ProcessState, names: ReadonlyMap<string, string>, currentCsmUserId: string | null): ProcessView {
  const open = process.status === 'pending' ? process.approvals.length : null;
  const steps: StepView[] = process.steps.map((step) => {
    const approval = process.approvals.find((a) => a.stepIndex === step.index);
    const rejected = process.rejection?.stepIndex === step.index ? process.rejection : null;
    let status: StepStatus;
    if (approval) status = 'approved';
    else if (rejected) status = 'rejected';
    else if (process.status === 'pending') status = step.index === open ? 'open' : 'waiting';
    else status = 'cancelled';
    const csmId = step.approver.kind === 'customer_csm' ? (step.approver.csmUserId ?? currentCsmUserId) : null;
    const actor = approval?.approver ?? rejected?.rejectedBy;
    return {
      index: step.index,
      label: step.label,
      approver:
        step.approver.kind === 'roles'
          ? { kind: 'roles', roles: step.approver.roles }
          : { kind: 'customer_csm', csm: csmId === null ? null : { userId: csmId, name: names.get(csmId) ?? csmId, role: 'CustomerSuccess' } },
      condition: step.condition ?? null,
      status,
      actedBy: actor ? person(actor, names) : null,
      actedAt: approval?.approvedAt ?? (rejected ? process.closedAt : null),
      comment: approval?.comment ?? rejected?.comment ?? null,
    };
  });
  const history: HistoryEntryView[] = [{ action: 'submitted', at: process.openedAt, actor: person(process.submittedBy, names), stepIndex: null, comment: process.submitComment }];
  for (const a of process.approvals) history.push({ action: 'step_approved', at: a.approvedAt, actor: person(a.approver, names), stepIndex: a.stepIndex, comment: a.comment });
  if (process.status === 'approved') {
    const last = process.approvals.at(-1);
    history.push({ action: 'approved', at: process.closedAt ?? process.openedAt, actor: last ? person(last.approver, names) : null, stepIndex: null, comment: last?.comment ?? '' });
  }
  if (process.rejection) {
    history.push({ action: 'rejected', at: process.closedAt ?? process.openedAt, actor: person(process.rejection.rejectedBy, names), stepIndex: process.rejection.stepIndex, comment: process.rejection.comment });
  }
  if (process.cancellation) {
    history.push({ action: 'cancelled', at: process.closedAt ?? process.openedAt, actor: null, stepIndex: null, comment: `${process.cancellation.reason}: ${process.cancellation.detail}` });
  }
  return {
    processId: process.processId,
    billId: process.billId,
    generation: process.generation,
    status: process.status,
    customerId: process.customerId,
    period: process.period,
    amount: { ...process.amount, amount: formatted(process.amount.amountMinor, process.amount.currency) },
    policySource: process.policySource,
    submittedBy: person(process.submittedBy, names),
    draftedBy: { userId: process.draftedByUserId, name: names.get(process.draftedByUserId) ?? process.draftedByUserId, role: null },
    submitComment: process.submitComment,
    openedAt: process.openedAt,
    closedAt: process.closedAt,
    openStepIndex: open,
    steps,
    history,
  };
}
