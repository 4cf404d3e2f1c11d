import type { ApprovalStep, BillAction, BillStatus, Role } from '../app/types';

/** What a user can do on the bill page. */
export type BillCommand = 'adjust' | 'submit' | 'approve' | 'reject' | 'send' | 'void' | 'revert' | 'comment';

/** Roles that approve and reject (approvals service `APPROVING_ROLES`; Finance never approves). */
const APPROVERS: readonly Role[] = ['CustomerSuccess', 'Sales', 'Admin'];

/**
 * The buttons the bill page offers, from the user's role and the bill's status (issue 7; rules of the
 * billing decider `nextStatus` and of the route guards):
 * - Finance: `adjust` and `submit` a draft, `send` an approved bill, `void` any bill not void yet,
 *   `revert` an action (while the bill is not void, or to undo the void itself: any status);
 * - Customer Success, Sales, Admin: `approve` / `reject` a bill pending approval (whether this very
 *   user may act on the open step is the approvals service's rule; it answers 403/409 otherwise);
 * - everyone signed in with a role: `comment`.
 * A user without a role (awaiting a grant) gets nothing; viewing an earlier version (`asOf`) offers nothing.
 * `mayDecide: false` (from {@link mayDecideOpenStep}: the open approval step is someone else's) hides approve/reject.
 * @returns the commands, in display order.
 */
export function billCommands(role: Role | null | undefined, status: BillStatus, options: { asOf?: boolean; mayDecide?: boolean } = {}): BillCommand[] {
  if (!role || options.asOf) return [];
  const out: BillCommand[] = [];
  if (role === 'Finance') {
    if (status === 'draft' || status === 'rejected') out.push('adjust', 'submit');
    if (status === 'approved') out.push('send');
    if (status !== 'void') out.push('void');
    out.push('revert');
  }
  if (APPROVERS.includes(role) && status === 'pending_approval' && options.mayDecide !== false) out.push('approve', 'reject');
  out.push('comment');
  return out;
}

/**
 * Whether `user` may act on the open step of an approval process (approvals service rule, as far as the
 * browser can tell): a roles step lists the user's role; a CSM step names the user. Undefined when it
 * cannot tell (no process loaded, no open step, or a step without approver details): the buttons are
 * then shown and the service decides (403/409 with a readable message).
 */
export function mayDecideOpenStep(process: { openStepIndex: number | null; steps: ApprovalStep[] } | undefined, user: { userId: string; role: Role | null } | null): boolean | undefined {
  if (!process || !user || process.openStepIndex === null) return undefined;
  const approver = process.steps.find((s) => s.index === process.openStepIndex)?.approver;
  if (!approver) return undefined;
  if (approver.kind === 'roles') return user.role !== null && approver.roles.includes(user.role);
  return approver.csm?.userId === user.userId;
}

/**
 * Whether one action of the timeline gets a "Revert" button: the user may revert (see
 * {@link billCommands}), the action is not the draft (billing: `bill.action_not_revertible`), not
 * a comment (nothing to undo) and not reverted already (`bill.action_already_reverted`).
 */
export function canRevertAction(commands: readonly BillCommand[], action: BillAction): boolean {
  return commands.includes('revert') && !action.reverted && action.type !== 'BillDrafted' && action.type !== 'BillCommented';
}

const ACTION_LABELS: Record<string, string> = {
  BillDrafted: 'Drafted',
  BillAdjusted: 'Unit price adjusted',
  BillLineAdded: 'Line added',
  BillLineRemoved: 'Line removed',
  BillSubmitted: 'Submitted for approval',
  BillApprovalStepRecorded: 'Approved (step)',
  BillApproved: 'Approved',
  BillRejected: 'Rejected',
  BillSent: 'Sent',
  BillVoided: 'Voided',
  BillCommented: 'Comment',
  BillUsageCorrected: 'Usage corrected',
  BillActionReverted: 'Action reverted',
};

/** The timeline label of a bill event type (`BillSent` → `Sent`); unknown types are shown as they are. */
export function actionLabel(type: string): string {
  return ACTION_LABELS[type] ?? type;
}

const STATUS_LABELS: Record<string, string> = {
  draft: 'Draft',
  pending_approval: 'Pending approval',
  approved: 'Approved',
  rejected: 'Rejected',
  sent: 'Sent',
  void: 'Void',
};

/** The label of a bill status (`pending_approval` → `Pending approval`). */
export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}
