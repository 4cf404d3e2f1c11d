import type { OutboxMessage } from '@billing/messaging';
import type { RecordedEvent } from '@billing/event-store';
import { integrationMessage } from '@billing/service-kit';
import type { ApprovalEvent } from './process/approval.decider.js';

/**
 * The approvals service's outbox mapper: its stored domain events → `approvals.v1` integration events
 * (topic `approvals.approval-events.v1`, key = the bill's approvals stream `approval-<billId>`, so a
 * bill's events stay in order). The envelope's actor is the user who acted (the submitter for
 * ApprovalRequested, the final approver for BillApprovalGranted).
 * - ApprovalProcessOpened → ApprovalRequested (steps with `role` = the first of `roles`, or `customer_csm` with `resolved_user_id`);
 * - ApprovalStepApproved → ApprovalStepApproved; ApprovalProcessGranted → BillApprovalGranted;
 * - ApprovalProcessRejected → BillApprovalRejected (with the comment);
 * - ApprovalProcessCancelled and policy events → nothing (internal).
 */
export function approvalsOutbox(recorded: RecordedEvent): OutboxMessage | null {
  const event = recorded as unknown as RecordedEvent & ApprovalEvent;
  switch (event.type) {
    case 'ApprovalProcessOpened':
      return integrationMessage(recorded, 'approvals.v1.ApprovalRequested', {
        billId: event.data.billId,
        processId: event.data.processId,
        steps: event.data.steps.map((step) => ({
          index: step.index,
          label: step.label,
          ...(step.approver.kind === 'customer_csm'
            ? { approver: { case: 'customerCsm' as const, value: {} }, roles: [], ...(step.approver.csmUserId === null ? {} : { resolvedUserId: step.approver.csmUserId }) }
            : { approver: { case: 'role' as const, value: step.approver.roles[0] ?? '' }, roles: step.approver.roles }),
        })),
      });
    case 'ApprovalStepApproved':
      return integrationMessage(recorded, 'approvals.v1.ApprovalStepApproved', {
        billId: event.data.billId,
        processId: event.data.processId,
        stepIndex: event.data.stepIndex,
        approverUserId: event.data.approver.userId,
        approverRole: event.data.approver.role ?? '',
        comment: event.data.comment,
      });
    case 'ApprovalProcessGranted':
      return integrationMessage(recorded, 'approvals.v1.BillApprovalGranted', {
        billId: event.data.billId,
        processId: event.data.processId,
        comment: event.data.comment,
        approvedSteps: event.data.approvedSteps,
      });
    case 'ApprovalProcessRejected':
      return integrationMessage(recorded, 'approvals.v1.BillApprovalRejected', {
        billId: event.data.billId,
        processId: event.data.processId,
        stepIndex: event.data.stepIndex,
        userId: event.data.rejectedBy.userId,
        role: event.data.rejectedBy.role ?? '',
        comment: event.data.comment,
      });
    default:
      return null;
  }
}
