import { describe, expect, it } from '@jest/globals';
import { ALL_TOPICS, BillDraftedSchema, ContractError, EVENT_TYPES, TOPICS, topicOf } from './index.js';

describe('topicOf', () => {
  it('maps each context package to its topic', () => {
    expect(topicOf('identity.v1.UserRegistered')).toBe('identity.user-events.v1');
    expect(topicOf('customers.v1.UsageRecorded')).toBe('customers.customer-events.v1');
    expect(topicOf('billing.v1.BillDrafted')).toBe('billing.bill-events.v1');
    expect(topicOf('approvals.v1.ApprovalRequested')).toBe('approvals.approval-events.v1');
    expect(topicOf(BillDraftedSchema)).toBe(TOPICS.billing);
  });

  it('maps by package, so a type added later needs no change', () => {
    expect(topicOf('billing.v1.BillPaidInFull')).toBe('billing.bill-events.v1');
  });

  it('gives every registered event a topic from ALL_TOPICS', () => {
    expect([...ALL_TOPICS].sort()).toEqual([
      'approvals.approval-events.v1',
      'billing.bill-events.v1',
      'customers.customer-events.v1',
      'identity.user-events.v1',
    ]);
    expect(new Set(EVENT_TYPES.map((type) => topicOf(type)))).toEqual(new Set(ALL_TOPICS));
  });

  it('throws ContractError contract.unknown_type for an unknown package', () => {
    for (const type of ['payments.v1.PaymentCaptured', 'billing.v2.BillDrafted', 'envelope.v1.EventEnvelope', 'BillDrafted', '']) {
      expect(() => topicOf(type)).toThrow(ContractError);
      try {
        topicOf(type);
      } catch (error) {
        expect((error as ContractError).code).toBe('contract.unknown_type');
      }
    }
  });
});
