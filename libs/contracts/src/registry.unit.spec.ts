import { describe, expect, it } from '@jest/globals';
import { file_approvals_v1_events, file_billing_v1_events, file_customers_v1_events, file_identity_v1_events } from './index.js';
import { BillDraftedSchema, ContractError, EVENT_SCHEMAS, EVENT_TYPES, eventRegistry, eventSchemaOf, eventSchemaVersion, isEventType } from './index.js';

describe('event registry', () => {
  it('registers every message of every events.proto, and nothing else', () => {
    const declared = [file_identity_v1_events, file_customers_v1_events, file_billing_v1_events, file_approvals_v1_events]
      .flatMap((file) => file.messages.map((message) => message.typeName))
      .sort();
    expect([...EVENT_TYPES].sort()).toEqual(declared);
    expect(declared).toHaveLength(28);
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length);
    for (const type of EVENT_TYPES) expect(eventRegistry.getMessage(type)?.typeName).toBe(type);
  });

  it('resolves type names to schemas', () => {
    expect(eventSchemaOf('billing.v1.BillDrafted')).toBe(BillDraftedSchema);
    expect(EVENT_SCHEMAS).toContain(BillDraftedSchema);
    expect(isEventType('billing.v1.BillDrafted')).toBe(true);
    expect(isEventType('billing.v1.Money')).toBe(false);
    expect(isEventType('envelope.v1.EventEnvelope')).toBe(false);
    expect(() => eventSchemaOf('billing.v1.Money')).toThrow(ContractError);
    expect(eventSchemaVersion('billing.v1.BillDrafted')).toBe(1);
  });
});
