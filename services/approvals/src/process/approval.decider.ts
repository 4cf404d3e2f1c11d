/**
 * The approval process manager of one bill (design §3, issue 6), as a pure decider over the stream
 * `approval-<billId>`. The stream holds every process the bill went through ("generations"): a
 * submission opens one, approval of every step grants it, a rejection ends it, a void or the revert of
 * the submission cancels it, and a resubmission opens the next one. Time, the policy in force and the
 * customer's CSM come in as command data; the decider reads no clock, database or bus.
 */
import type { Command, Event } from '@billing/event-store';
import { resolveSteps, type ApprovalPolicy, type ProcessStep } from '../policy/policy.js';
import {
  AlreadyActedError,
  ApprovalNotFoundError,
  CommentRequiredError,
  ForbiddenRoleError,
  NoOpenProcessError,
  NotCustomerCsmError,
  NotEligibleError,
  OwnBillError,
  WaitingForPreviousStepError,
} from './approval.errors.js';

/** Stream of a bill's approval processes. */
export const approvalStreamId = (billId: string): string => `approval-${billId}`;

/** A user acting on a process (role: the auth role code, `null` for a user without a granted role). */
export type ApprovalActor = { userId: string; role: string | null; name: string };

/** Money as stored in events: integer minor units as a decimal string. */
export type MoneyData = { amountMinor: string; currency: string };

// ---- events ---------------------------------------------------------------------------------

/** A submitted bill's approval process was opened with its steps resolved from the policy in force. */
export type ApprovalProcessOpened = Event<
  'ApprovalProcessOpened',
  {
    processId: string;
    generation: number;
    billId: string;
    submitActionId: string;
    customerId: string;
    period: string;
    amount: MoneyData;
    /** Counts as decimal strings (JSON has no 64-bit integers). */
    overageUnits: string;
    includedApiCalls: string;
    draftedByUserId: string;
    submittedBy: ApprovalActor;
    submitComment: string;
    policySource: ApprovalPolicy['source'];
    steps: ProcessStep[];
    openedAt: string;
  }
>;

/** One step was approved. */
export type ApprovalStepApproved = Event<
  'ApprovalStepApproved',
  { processId: string; billId: string; stepIndex: number; approver: ApprovalActor; comment: string; approvedAt: string }
>;

/** Every step was approved: the bill is approved. */
export type ApprovalProcessGranted = Event<
  'ApprovalProcessGranted',
  { processId: string; billId: string; approvedSteps: number; comment: string; grantedAt: string }
>;

/** An approver rejected the bill; the process ended. */
export type ApprovalProcessRejected = Event<
  'ApprovalProcessRejected',
  { processId: string; billId: string; stepIndex: number; rejectedBy: ApprovalActor; comment: string; rejectedAt: string }
>;

/** The process ended without a decision: the bill was voided, its submission reverted, or it was resubmitted. */
export type ApprovalProcessCancelled = Event<
  'ApprovalProcessCancelled',
  { processId: string; billId: string; reason: CancelReason; actionId: string; detail: string; cancelledAt: string }
>;

export type CancelReason = 'bill_voided' | 'submission_reverted' | 'resubmitted';

export type ApprovalEvent = ApprovalProcessOpened | ApprovalStepApproved | ApprovalProcessGranted | ApprovalProcessRejected | ApprovalProcessCancelled;

// ---- commands -------------------------------------------------------------------------------

/** From billing.v1.BillSubmitted: open a process (policy and CSM looked up by the caller, at submission). */
export type OpenApproval = Command<
  'OpenApproval',
  {
    processId: string;
    billId: string;
    submitActionId: string;
    customerId: string;
    period: string;
    amount: MoneyData;
    overageUnits: string;
    includedApiCalls: string;
    draftedByUserId: string;
    submittedBy: ApprovalActor;
    comment: string;
    policy: ApprovalPolicy;
    csmUserId: string | null;
    now: string;
  }
>;

/** A user approves the open step. `currentCsmUserId`: the customer's CSM now (used when none was known at submission). */
export type ApproveBill = Command<'ApproveBill', { billId: string; actor: ApprovalActor; comment: string; currentCsmUserId: string | null; now: string }>;

/** A user rejects the bill at the open step; `comment` must not be blank. */
export type RejectBill = Command<'RejectBill', { billId: string; actor: ApprovalActor; comment: string; currentCsmUserId: string | null; now: string }>;

/**
 * From billing: the bill was voided (`bill_voided`), or an action was reverted (`submission_reverted`,
 * effective only when `revertedActionId` is the open process's submission).
 */
export type CancelApproval = Command<
  'CancelApproval',
  { billId: string; reason: 'bill_voided' | 'submission_reverted'; actionId: string; revertedActionId: string | null; detail: string; now: string }
>;

export type ApprovalCommand = OpenApproval | ApproveBill | RejectBill | CancelApproval;

// ---- state ----------------------------------------------------------------------------------

export type ProcessStatus = 'pending' | 'approved' | 'rejected' | 'cancelled';

/** What an approval process is opened with (the data of {@link ApprovalProcessOpened}). */
export type ProcessOpening = ApprovalProcessOpened['data'];

/** One approval process of the bill, as folded from its events: what it was opened with, and what happened since. */
export interface ProcessState extends ProcessOpening {
  approvals: { stepIndex: number; approver: ApprovalActor; comment: string; approvedAt: string }[];
  status: ProcessStatus;
  closedAt: string | null;
  rejection: { stepIndex: number; rejectedBy: ApprovalActor; comment: string } | null;
  cancellation: { reason: CancelReason; actionId: string; detail: string } | null;
}

/** Every process of one bill, oldest first; the last one is the current one. */
export interface BillApprovals {
  processes: ProcessState[];
}

export const initialState = (): BillApprovals => ({ processes: [] });

/** The bill's current (last) process, if any. */
export const currentProcess = (state: BillApprovals): ProcessState | undefined => state.processes.at(-1);

/** Index of the first step not approved yet (= `steps.length` when all are). */
export const openStepIndex = (process: ProcessState): number => process.approvals.length;

// ---- eligibility (pure, shared with the inbox) -----------------------------------------------

/** Roles that may ever approve or reject: everyone but Finance (issue 6: "Finance never approves"). */
export const APPROVING_ROLES = ['Sales', 'CustomerSuccess', 'Admin'] as const;

/** @throws ForbiddenRoleError for Finance and for users without a role. */
export function assertApprovingRole(role: string | null): void {
  if (role === null || !(APPROVING_ROLES as readonly string[]).includes(role)) throw new ForbiddenRoleError(role);
}

/** Whether `actor` may approve `step` (the CSM step: by user id, against the snapshot or, when none was known, the current CSM). */
export function mayApproveStep(step: ProcessStep, actor: ApprovalActor, currentCsmUserId: string | null): boolean {
  if (step.approver.kind === 'customer_csm') {
    const csm = step.approver.csmUserId ?? currentCsmUserId;
    return csm !== null && csm === actor.userId;
  }
  return actor.role !== null && (step.approver.roles as string[]).includes(actor.role);
}

/**
 * Checks every rule for `actor` acting on the open step of the bill's current process and returns that
 * process and the step index. Rules, in order (issue 6):
 * Finance / no role → 403 `approval.forbidden_role`; no process → 404 `approval.not_found`; last one
 * ended → 409 `approval.no_open_process`; drafter or submitter → 403 `approval.own_bill`; already
 * approved a step → 409 `approval.already_acted`; may approve only a later step → 409
 * `approval.waiting_for_previous_step`; a Customer Success user who is not the customer's CSM on the
 * CSM step → 403 `approval.not_customer_csm`; otherwise not an approver → 403 `approval.not_eligible`.
 */
export function checkMayAct(
  state: BillApprovals,
  billId: string,
  actor: ApprovalActor,
  currentCsmUserId: string | null,
): { process: ProcessState; stepIndex: number } {
  assertApprovingRole(actor.role);
  const process = currentProcess(state);
  if (process === undefined) throw new ApprovalNotFoundError(billId);
  if (process.status !== 'pending') throw new NoOpenProcessError(billId, process.status);
  if (process.draftedByUserId === actor.userId) throw new OwnBillError(billId, 'drafted');
  if (process.submittedBy.userId === actor.userId) throw new OwnBillError(billId, 'submitted');
  const earlier = process.approvals.find((approval) => approval.approver.userId === actor.userId);
  if (earlier !== undefined) throw new AlreadyActedError(billId, earlier.stepIndex);
  const stepIndex = openStepIndex(process);
  const step = process.steps[stepIndex]!;
  if (mayApproveStep(step, actor, currentCsmUserId)) return { process, stepIndex };
  if (process.steps.slice(stepIndex + 1).some((later) => mayApproveStep(later, actor, currentCsmUserId))) {
    throw new WaitingForPreviousStepError(billId, step.label);
  }
  if (step.approver.kind === 'customer_csm' && actor.role === 'CustomerSuccess') throw new NotCustomerCsmError(billId);
  throw new NotEligibleError(billId, step.label);
}

// ---- decide / evolve --------------------------------------------------------------------------

function open(command: OpenApproval, state: BillApprovals): ApprovalEvent[] {
  const data = command.data;
  const current = currentProcess(state);
  const events: ApprovalEvent[] = [];
  if (current?.submitActionId === data.submitActionId) return []; // the same submission again: nothing new
  if (current?.status === 'pending') {
    events.push({
      type: 'ApprovalProcessCancelled',
      data: { processId: current.processId, billId: data.billId, reason: 'resubmitted', actionId: data.submitActionId, detail: 'the bill was submitted again', cancelledAt: data.now },
    });
  }
  const steps = resolveSteps(data.policy, { amount: data.amount, overageUnits: data.overageUnits, includedApiCalls: data.includedApiCalls }, data.csmUserId);
  events.push({
    type: 'ApprovalProcessOpened',
    data: {
      processId: data.processId,
      generation: state.processes.length + 1,
      billId: data.billId,
      submitActionId: data.submitActionId,
      customerId: data.customerId,
      period: data.period,
      amount: data.amount,
      overageUnits: data.overageUnits,
      includedApiCalls: data.includedApiCalls,
      draftedByUserId: data.draftedByUserId,
      submittedBy: data.submittedBy,
      submitComment: data.comment,
      policySource: data.policy.source,
      steps,
      openedAt: data.now,
    },
  });
  if (steps.length === 0) {
    events.push({ type: 'ApprovalProcessGranted', data: { processId: data.processId, billId: data.billId, approvedSteps: 0, comment: 'no approval step applies to this bill', grantedAt: data.now } });
  }
  return events;
}

function approve(command: ApproveBill, state: BillApprovals): ApprovalEvent[] {
  const { billId, actor, comment, currentCsmUserId, now } = command.data;
  const { process, stepIndex } = checkMayAct(state, billId, actor, currentCsmUserId);
  const events: ApprovalEvent[] = [
    { type: 'ApprovalStepApproved', data: { processId: process.processId, billId, stepIndex, approver: actor, comment: comment.trim(), approvedAt: now } },
  ];
  if (stepIndex + 1 === process.steps.length) {
    events.push({ type: 'ApprovalProcessGranted', data: { processId: process.processId, billId, approvedSteps: process.steps.length, comment: comment.trim(), grantedAt: now } });
  }
  return events;
}

function reject(command: RejectBill, state: BillApprovals): ApprovalEvent[] {
  const { billId, actor, comment, currentCsmUserId, now } = command.data;
  assertApprovingRole(actor.role);
  if (comment.trim() === '') throw new CommentRequiredError();
  const { process, stepIndex } = checkMayAct(state, billId, actor, currentCsmUserId);
  return [{ type: 'ApprovalProcessRejected', data: { processId: process.processId, billId, stepIndex, rejectedBy: actor, comment: comment.trim(), rejectedAt: now } }];
}

function cancel(command: CancelApproval, state: BillApprovals): ApprovalEvent[] {
  const data = command.data;
  const process = currentProcess(state);
  if (process?.status !== 'pending') return [];
  if (data.reason === 'submission_reverted' && data.revertedActionId !== process.submitActionId) return [];
  return [{ type: 'ApprovalProcessCancelled', data: { processId: process.processId, billId: data.billId, reason: data.reason, actionId: data.actionId, detail: data.detail, cancelledAt: data.now } }];
}

/**
 * Decides a command on a bill's approvals.
 * @throws the DomainErrors of {@link checkMayAct} for approve/reject, and CommentRequiredError (400
 *   `approval.comment_required`) for a rejection with a blank comment.
 */
export function decide(command: ApprovalCommand, state: BillApprovals): ApprovalEvent[] {
  switch (command.type) {
    case 'OpenApproval':
      return open(command, state);
    case 'ApproveBill':
      return approve(command, state);
    case 'RejectBill':
      return reject(command, state);
    case 'CancelApproval':
      return cancel(command, state);
  }
}

function updateLast(state: BillApprovals, processId: string, change: (process: ProcessState) => ProcessState): BillApprovals {
  return { processes: state.processes.map((process) => (process.processId === processId ? change(process) : process)) };
}

/** Folds one event into the bill's approvals. */
export function evolve(state: BillApprovals, event: ApprovalEvent): BillApprovals {
  switch (event.type) {
    case 'ApprovalProcessOpened': {
      const { openedAt, ...data } = event.data;
      return {
        processes: [
          ...state.processes,
          { ...data, openedAt, approvals: [], status: 'pending', closedAt: null, rejection: null, cancellation: null },
        ],
      };
    }
    case 'ApprovalStepApproved': {
      const { stepIndex, approver, comment, approvedAt } = event.data;
      return updateLast(state, event.data.processId, (p) => ({ ...p, approvals: [...p.approvals, { stepIndex, approver, comment, approvedAt }] }));
    }
    case 'ApprovalProcessGranted':
      return updateLast(state, event.data.processId, (p) => ({ ...p, status: 'approved', closedAt: event.data.grantedAt }));
    case 'ApprovalProcessRejected': {
      const { stepIndex, rejectedBy, comment, rejectedAt } = event.data;
      return updateLast(state, event.data.processId, (p) => ({ ...p, status: 'rejected', closedAt: rejectedAt, rejection: { stepIndex, rejectedBy, comment } }));
    }
    case 'ApprovalProcessCancelled': {
      const { reason, actionId, detail, cancelledAt } = event.data;
      return updateLast(state, event.data.processId, (p) => ({ ...p, status: 'cancelled', closedAt: cancelledAt, cancellation: { reason, actionId, detail } }));
    }
  }
}

/** The approval decider (Emmett shape) with its stream naming. */
export const approvalDecider = { decide, evolve, initialState, mapToStreamId: approvalStreamId };
