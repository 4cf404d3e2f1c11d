import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { decodeIntegrationEvent } from '@billing/contracts';
import type { RecordedEvent } from '@billing/event-store';
import { approvalsOutbox } from './outbox.js';
import type { ApprovalEvent } from './process/approval.decider.js';

function recorded(event: ApprovalEvent): RecordedEvent {
  const eventId = randomUUID();
  return {
    ...event,
    kind: 'Event',
    metadata: {
      eventId,
      streamName: 'approval-bill-1',
      streamPosition: 3n,
      globalPosition: 7n,
      transactionId: 1n,
      schemaVersion: 1,
      recordedAt: new Date('2026-11-21T10:00:00.000Z'),
      correlationId: eventId,
      causationId: eventId,
      actor: { userId: 'user-5', role: 'Sales', name: 'User5' },
      messageId: eventId,
      checkpoint: 7n,
    },
  } as unknown as RecordedEvent;
}

const at = '2026-11-21T10:00:00.000Z';
const actor = { userId: 'user-5', role: 'Sales', name: 'User5' };

describe('approvals outbox mapper', () => {
  it('publishes every approvals.v1 event with every field, keyed by the bill’s approvals stream', () => {
    const rejected = approvalsOutbox(recorded({ type: 'ApprovalProcessRejected', data: { processId: 'p-1', billId: 'bill-1', stepIndex: 1, rejectedBy: actor, comment: 'wrong', rejectedAt: at } }))!;
    expect(rejected.topic).toBe('approvals.approval-events.v1');
    expect(rejected.message.key).toBe('approval-bill-1');
    const decoded = decodeIntegrationEvent(rejected.message.value);
    expect(decoded.type).toBe('approvals.v1.BillApprovalRejected');
    expect(decoded.message).toMatchObject({ billId: 'bill-1', processId: 'p-1', stepIndex: 1, userId: 'user-5', role: 'Sales', comment: 'wrong' });
    expect(decoded.actor).toEqual({ userId: 'user-5', role: 'Sales', displayName: 'User5' });

    const granted = decodeIntegrationEvent(approvalsOutbox(recorded({ type: 'ApprovalProcessGranted', data: { processId: 'p-1', billId: 'bill-1', approvedSteps: 2, comment: 'ok', grantedAt: at } }))!.message.value);
    expect(granted.message).toMatchObject({ billId: 'bill-1', processId: 'p-1', comment: 'ok', approvedSteps: 2 });

    const step = decodeIntegrationEvent(approvalsOutbox(recorded({ type: 'ApprovalStepApproved', data: { processId: 'p-1', billId: 'bill-1', stepIndex: 0, approver: actor, comment: 'fine', approvedAt: at } }))!.message.value);
    expect(step.message).toMatchObject({ billId: 'bill-1', processId: 'p-1', stepIndex: 0, approverUserId: 'user-5', approverRole: 'Sales', comment: 'fine' });
  });

  it('keeps cancellations and policy changes internal', () => {
    expect(approvalsOutbox(recorded({ type: 'ApprovalProcessCancelled', data: { processId: 'p-1', billId: 'bill-1', reason: 'bill_voided', actionId: 'a', detail: '', cancelledAt: at } }))).toBeNull();
    expect(approvalsOutbox({ ...recorded({ type: 'ApprovalProcessCancelled', data: {} } as ApprovalEvent), type: 'ApprovalPolicySet' } as RecordedEvent)).toBeNull();
  });
});
