import { describe, expect, it } from '@jest/globals';
import { decodeIntegrationEvent } from '@billing/contracts';
import type { RecordedEvent } from '@billing/event-store';
import { decideBill, evolveBill, initialBillState, type BillCommand, type BillEvent } from '../bill/bill.decider.js';
import type { TermsJson } from '../bill/bill.rules.js';
import { billingOutbox } from './outbox.js';

const terms: TermsJson = { monthlyApiLimit: '100', overageUnitPrice: '0.5', currency: 'EUR', startDate: '2017-01-01', endDate: null, requireCsmApproval: false, overageGraceMonths: 0, effectiveFrom: '2017-01-01' };
const actor = { userId: 'u1', role: 'Finance', name: 'Fiona' };
const billId = 'c1-2017-05';
const at = '2017-06-02T00:00:00.000Z';
const cmd = (type: BillCommand['type'], data: Record<string, unknown> = {}) => ({ type, data: { billId, actor, at, ...data } }) as BillCommand;

/** A history touching every action type. */
function history(): BillEvent[] {
  const commands = [
    cmd('DraftBill', { customerId: 'c1', period: '2017-05', termsHistory: [terms], usageApiCalls: '300', allowZero: false }),
    cmd('AdjustUnitPrice', { unitPrice: '0.4', reason: 'deal' }),
    cmd('AddLine', { kind: 'surcharge', description: 'support', quantity: '2', unitPrice: '10' }),
    cmd('RemoveLine', { lineId: `${billId}.3`, reason: 'no' }),
    cmd('SubmitBill', { comment: '' }),
    cmd('RejectBill', { comment: 'too high', stepIndex: 0, processId: 'p' }),
    cmd('SubmitBill', { comment: 'again' }),
    cmd('ApproveBill', { comment: '', processId: 'p' }),
    cmd('SendBill', { comment: '' }),
    cmd('CommentBill', { comment: 'fyi' }),
    cmd('RecordUsageCorrection', { previousApiCalls: '300', apiCalls: '310' }),
    cmd('RevertAction', { revertedActionId: `${billId}.9`, reason: 'oops' }),
    cmd('VoidBill', { reason: 'dup' }),
  ];
  let state = initialBillState();
  const events: BillEvent[] = [];
  for (const c of commands) {
    const produced = decideBill(c, state);
    events.push(...produced);
    state = produced.reduce(evolveBill, state);
  }
  return events;
}

describe('billing outbox mapper', () => {
  it('publishes every bill action as a valid billing.v1 event, keyed by the bill stream, with its actor', () => {
    const types = history().map((event, i) => {
      const recorded = {
        type: event.type,
        data: event.data,
        kind: 'Event',
        metadata: { eventId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, streamName: `bill-${billId}`, streamPosition: BigInt(i + 1), recordedAt: new Date(at), actor, currency: 'EUR' },
      } as unknown as RecordedEvent;
      const message = billingOutbox(recorded)!;
      expect(message.message.key).toBe(`bill-${billId}`);
      const decoded = decodeIntegrationEvent(message.message.value);
      expect(decoded.message).toMatchObject({ billId, actionId: event.data.actionId });
      expect(decoded.actor).toMatchObject({ userId: 'u1', displayName: 'Fiona' });
      return decoded.type;
    });
    expect(types).toEqual([
      'billing.v1.BillDrafted',
      'billing.v1.BillAdjusted',
      'billing.v1.BillLineAdded',
      'billing.v1.BillLineRemoved',
      'billing.v1.BillSubmitted',
      'billing.v1.BillRejected',
      'billing.v1.BillSubmitted',
      'billing.v1.BillApproved',
      'billing.v1.BillSent',
      'billing.v1.BillCommented',
      'billing.v1.BillUsageCorrected',
      'billing.v1.BillActionReverted',
      'billing.v1.BillVoided',
    ]);
  });

  it('publishes nothing for bill runs and recorded facts', () => {
    for (const streamName of ['bill-run-2017-05', 'customer-c1', 'usage-c1-2017-05', 'user-u1']) {
      expect(billingOutbox({ type: 'X', data: {}, metadata: { streamName } } as unknown as RecordedEvent)).toBeNull();
    }
  });
});
