import { describe, expect, it } from '@jest/globals';
import { create, equals, toBinary, type DescMessage } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import {
  ApprovalRequestedSchema,
  BillDraftedSchema,
  ContractDecodeError,
  ContractError,
  CustomerRegisteredSchema,
  MoneySchema,
  SessionRevokedSchema,
  SYSTEM_ACTOR,
  UserDeactivatedSchema,
  UserRegisteredSchema,
  decodeIntegrationEvent,
  encodeIntegrationEvent,
  type DecodedIntegrationEvent,
  type IntegrationEventEnvelopeInput,
} from './index.js';
import { EventEnvelopeSchema, type EventEnvelope } from './gen/envelope/v1/envelope_pb.js';

const envelope: IntegrationEventEnvelopeInput = {
  eventId: '0b9f4b1e-6a43-4d0c-9a53-2f1c1e0f8a11',
  occurredAt: new Date('2025-03-31T23:59:59.123Z'),
  streamId: 'bill-7f3c',
  // Above 2^63: proves the full uint64 range survives.
  streamVersion: (1n << 63n) + 5n,
  correlationId: 'corr-42',
  causationId: 'cmd-41',
  actor: { userId: 'user-1', role: 'finance', displayName: 'Ada Lovelace' },
};

function expectEnvelope(decoded: DecodedIntegrationEvent, type: string): void {
  expect(decoded.eventId).toBe(envelope.eventId);
  expect(decoded.type).toBe(type);
  expect(decoded.schemaVersion).toBe(1);
  expect(decoded.occurredAt.toISOString()).toBe('2025-03-31T23:59:59.123Z');
  expect(decoded.streamId).toBe(envelope.streamId);
  expect(decoded.streamVersion).toBe(envelope.streamVersion);
  expect(decoded.correlationId).toBe(envelope.correlationId);
  expect(decoded.causationId).toBe(envelope.causationId);
  expect(decoded.actor).toEqual(envelope.actor);
}

function expectDecodeError(run: () => unknown, code: ContractDecodeError['code']): ContractDecodeError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ContractDecodeError);
  expect(caught).toBeInstanceOf(ContractError);
  expect((caught as ContractDecodeError).code).toBe(code);
  return caught as ContractDecodeError;
}

function expectEncodeError(run: () => unknown, code: ContractError['code']): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ContractError);
  expect(caught).not.toBeInstanceOf(ContractDecodeError);
  expect((caught as ContractError).code).toBe(code);
}

/** An envelope as raw bytes, bypassing the encoder's checks. */
function rawEnvelope(type: string, payload: Uint8Array, overrides: Partial<Omit<EventEnvelope, '$typeName' | '$unknown'>> = {}): Uint8Array {
  const message = create(EventEnvelopeSchema, {
    eventId: envelope.eventId,
    type,
    schemaVersion: 1,
    occurredAt: timestampFromDate(envelope.occurredAt),
    streamId: envelope.streamId,
    streamVersion: 1n,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    actor: envelope.actor,
    payload,
  });
  return toBinary(EventEnvelopeSchema, Object.assign(message, overrides));
}

function payloadOf<D extends DescMessage>(schema: D, init: Parameters<typeof create<D>>[1]): Uint8Array {
  return toBinary(schema, create(schema, init));
}

const billDrafted = create(BillDraftedSchema, {
  billId: 'bill-7f3c',
  actionId: 'act-1',
  customerId: 'cust-9',
  period: '2025-03',
  usageApiCalls: 1_250_000n,
  includedApiCalls: 1_000_000n,
  overageUnits: 250_000n,
  unitPrice: '0.0015',
  amount: { amountMinor: 37_500n, currency: 'EUR' },
});

describe('encodeIntegrationEvent / decodeIntegrationEvent round trip', () => {
  it('identity.v1: keeps every envelope field and the message (timestamp and optional fields included)', () => {
    const data = create(SessionRevokedSchema, {
      userId: 'user-2',
      sessionId: 'sess-3',
      tokenId: 'jti-4',
      expiresAt: timestampFromDate(new Date('2025-04-01T00:15:00Z')),
    });
    const decoded = decodeIntegrationEvent(encodeIntegrationEvent({ ...envelope, schema: SessionRevokedSchema, data }));
    expectEnvelope(decoded, 'identity.v1.SessionRevoked');
    expect(decoded.type === 'identity.v1.SessionRevoked' && equals(SessionRevokedSchema, decoded.message, data)).toBe(true);

    const registered = decodeIntegrationEvent(
      encodeIntegrationEvent({
        ...envelope,
        type: 'identity.v1.UserRegistered',
        data: { userId: 'user-2', name: 'Grace', role: 'viewer', requestedRole: 'finance', active: false },
      }),
    );
    if (registered.type !== 'identity.v1.UserRegistered') throw new Error(`unexpected ${registered.type}`);
    expect(registered.message.email).toBeUndefined();
    expect(registered.message.requestedRole).toBe('finance');
    expect(registered.message.active).toBe(false);
  });

  it('customers.v1: keeps nested contract terms with decimal price and open end date', () => {
    const data = create(CustomerRegisteredSchema, {
      customerId: 'cust-9',
      name: 'Acme GmbH',
      billingAddress: 'Hauptstr. 1\n10115 Berlin\nDE',
      billingEmail: 'billing@acme.example',
      csmUserId: 'user-5',
      terms: {
        monthlyApiLimit: 1_000_000n,
        overageUnitPrice: '0.0015',
        currency: 'EUR',
        startDate: '2025-01-01',
        requireCsmApproval: true,
        overageGraceMonths: 2,
      },
    });
    const decoded = decodeIntegrationEvent(encodeIntegrationEvent({ ...envelope, schema: CustomerRegisteredSchema, data }));
    expectEnvelope(decoded, 'customers.v1.CustomerRegistered');
    if (decoded.type !== 'customers.v1.CustomerRegistered') throw new Error(`unexpected ${decoded.type}`);
    expect(equals(CustomerRegisteredSchema, decoded.message, data)).toBe(true);
    expect(decoded.message.terms?.overageUnitPrice).toBe('0.0015');
    expect(decoded.message.terms?.endDate).toBeUndefined();
  });

  it('billing.v1: keeps money in minor units (int64) and 64-bit counts', () => {
    const decoded = decodeIntegrationEvent(encodeIntegrationEvent({ ...envelope, schema: BillDraftedSchema, data: billDrafted }));
    expectEnvelope(decoded, 'billing.v1.BillDrafted');
    if (decoded.type !== 'billing.v1.BillDrafted') throw new Error(`unexpected ${decoded.type}`);
    expect(equals(BillDraftedSchema, decoded.message, billDrafted)).toBe(true);
    expect(decoded.message.amount).toMatchObject({ amountMinor: 37_500n, currency: 'EUR' });
    expect(decoded.message.usageApiCalls).toBe(1_250_000n);
  });

  it("approvals.v1: keeps steps with a role or the customer's CSM marker", () => {
    const data = create(ApprovalRequestedSchema, {
      billId: 'bill-7f3c',
      processId: 'proc-1',
      steps: [
        { index: 0, approver: { case: 'customerCsm', value: {} }, resolvedUserId: 'user-5' },
        { index: 1, approver: { case: 'role', value: 'finance' } },
      ],
    });
    const decoded = decodeIntegrationEvent(encodeIntegrationEvent({ ...envelope, schema: ApprovalRequestedSchema, data }));
    expectEnvelope(decoded, 'approvals.v1.ApprovalRequested');
    if (decoded.type !== 'approvals.v1.ApprovalRequested') throw new Error(`unexpected ${decoded.type}`);
    expect(equals(ApprovalRequestedSchema, decoded.message, data)).toBe(true);
    expect(decoded.message.steps.map((step) => [step.approver.case, step.resolvedUserId])).toEqual([
      ['customerCsm', 'user-5'],
      ['role', undefined],
    ]);
  });

  it('decodes from a Node.js Buffer that is a slice of a larger buffer', () => {
    const bytes = encodeIntegrationEvent({ ...envelope, actor: SYSTEM_ACTOR, schema: UserDeactivatedSchema, data: { userId: 'user-2' } });
    const pool = Buffer.alloc(bytes.length + 16, 0xff);
    pool.set(bytes, 7);
    const decoded = decodeIntegrationEvent(pool.subarray(7, 7 + bytes.length));
    expect(decoded.type).toBe('identity.v1.UserDeactivated');
    expect(decoded.actor).toEqual({ userId: 'system', role: 'system', displayName: 'System' });
  });

  it('writes an explicit schemaVersion', () => {
    const bytes = encodeIntegrationEvent({ ...envelope, schemaVersion: 3, schema: UserDeactivatedSchema, data: { userId: 'user-2' } });
    expect(decodeIntegrationEvent(bytes).schemaVersion).toBe(3);
  });

  it('accepts fields added by a newer producer (unknown fields are kept, not an error)', () => {
    const writer = new BinaryWriter();
    writer.raw(payloadOf(UserDeactivatedSchema, { userId: 'user-2' }));
    writer.tag(99, WireType.LengthDelimited).string('a field from the future');
    const decoded = decodeIntegrationEvent(rawEnvelope('identity.v1.UserDeactivated', writer.finish()));
    if (decoded.type !== 'identity.v1.UserDeactivated') throw new Error(`unexpected ${decoded.type}`);
    expect(decoded.message.userId).toBe('user-2');
    expect(decoded.message.$unknown?.map((field) => field.no)).toEqual([99]);
  });
});

describe('decodeIntegrationEvent failures', () => {
  it('rejects garbage bytes with contract.decode_failed', () => {
    expectDecodeError(() => decodeIntegrationEvent(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), 'contract.decode_failed');
    expectDecodeError(() => decodeIntegrationEvent(new TextEncoder().encode('{"type":"billing.v1.BillDrafted"}')), 'contract.decode_failed');
    expectDecodeError(() => decodeIntegrationEvent(new Uint8Array()), 'contract.decode_failed');
  });

  it('rejects random bytes with contract.decode_failed', () => {
    let seed = 12345;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let round = 0; round < 200; round += 1) {
      const bytes = Uint8Array.from({ length: 1 + (next() % 64) }, () => next() % 256);
      expectDecodeError(() => decodeIntegrationEvent(bytes), 'contract.decode_failed');
    }
  });

  it('rejects a truncated envelope with contract.decode_failed', () => {
    const bytes = encodeIntegrationEvent({ ...envelope, schema: BillDraftedSchema, data: billDrafted });
    expectDecodeError(() => decodeIntegrationEvent(bytes.subarray(0, bytes.length - 3)), 'contract.decode_failed');
  });

  it('rejects valid protobuf that is not an envelope with contract.decode_failed', () => {
    const money = payloadOf(MoneySchema, { amountMinor: 100n, currency: 'EUR' });
    expectDecodeError(() => decodeIntegrationEvent(money), 'contract.decode_failed');
  });

  it('rejects an envelope with a malformed field with contract.decode_failed', () => {
    const payload = payloadOf(UserDeactivatedSchema, { userId: 'user-2' });
    const type = 'identity.v1.UserDeactivated';
    expect(decodeIntegrationEvent(rawEnvelope(type, payload)).type).toBe(type);
    expectDecodeError(() => decodeIntegrationEvent(rawEnvelope(type, payload, { eventId: 'not-a-uuid' })), 'contract.decode_failed');
    expectDecodeError(() => decodeIntegrationEvent(rawEnvelope(type, payload, { occurredAt: undefined })), 'contract.decode_failed');
    expectDecodeError(() => decodeIntegrationEvent(rawEnvelope(type, payload, { schemaVersion: 0 })), 'contract.decode_failed');
    expectDecodeError(() => decodeIntegrationEvent(rawEnvelope(type, payload, { streamId: '' })), 'contract.decode_failed');
    expectDecodeError(() => decodeIntegrationEvent(rawEnvelope(type, payload, { actor: undefined })), 'contract.decode_failed');
    expectDecodeError(() => decodeIntegrationEvent(rawEnvelope('', payload)), 'contract.decode_failed');
  });

  it('rejects an unknown type with contract.unknown_type, naming the event', () => {
    const error = expectDecodeError(
      () => decodeIntegrationEvent(rawEnvelope('billing.v1.BillTeleported', payloadOf(UserDeactivatedSchema, { userId: 'u' }))),
      'contract.unknown_type',
    );
    expect(error.eventType).toBe('billing.v1.BillTeleported');
    expect(error.eventId).toBe(envelope.eventId);
    // A registered message that is not an event is an unknown event type too.
    expectDecodeError(() => decodeIntegrationEvent(rawEnvelope('billing.v1.Money', payloadOf(MoneySchema, {}))), 'contract.unknown_type');
  });

  it('rejects a payload that does not match its type with contract.decode_failed', () => {
    const drafted = toBinary(BillDraftedSchema, billDrafted);
    // Wire types differ: UsageRecorded.api_calls (field 3) is a varint, BillDrafted.customer_id a string.
    const wrongWire = expectDecodeError(() => decodeIntegrationEvent(rawEnvelope('customers.v1.UsageRecorded', drafted)), 'contract.decode_failed');
    expect(wrongWire.eventType).toBe('customers.v1.UsageRecorded');
    // Wire-compatible, but BillDrafted's required action_id, customer_id and amount are missing.
    const deactivated = payloadOf(UserDeactivatedSchema, { userId: 'user-2' });
    expectDecodeError(() => decodeIntegrationEvent(rawEnvelope('billing.v1.BillDrafted', deactivated)), 'contract.decode_failed');
    // Truncated payload.
    expectDecodeError(() => decodeIntegrationEvent(rawEnvelope('billing.v1.BillDrafted', drafted.subarray(0, drafted.length - 2))), 'contract.decode_failed');
    // A field with a wire type its declaration forbids, even where lenient decoding would "succeed":
    // user_id (a string) written as the varint 3 followed by "abc" would read as user_id "abc".
    const wrongWireType = new BinaryWriter().tag(1, WireType.Varint).uint32(3).raw(new TextEncoder().encode('abc')).finish();
    expectDecodeError(() => decodeIntegrationEvent(rawEnvelope('identity.v1.UserDeactivated', wrongWireType)), 'contract.decode_failed');
    // Invalid UTF-8 in a string field.
    const badUtf8 = new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(new Uint8Array([0xc3, 0x28])).finish();
    expectDecodeError(() => decodeIntegrationEvent(rawEnvelope('identity.v1.UserDeactivated', badUtf8)), 'contract.decode_failed');
  });
});

describe('encodeIntegrationEvent failures', () => {
  it('rejects an unknown type with contract.unknown_type', () => {
    const untyped = encodeIntegrationEvent as (input: unknown) => Uint8Array;
    expectEncodeError(() => untyped({ ...envelope, type: 'billing.v1.BillTeleported', data: {} }), 'contract.unknown_type');
    expectEncodeError(() => untyped({ ...envelope, schema: MoneySchema, data: {} }), 'contract.unknown_type');
  });

  it('rejects a message without a required field with contract.invalid_event', () => {
    expectEncodeError(() => encodeIntegrationEvent({ ...envelope, schema: UserDeactivatedSchema, data: {} }), 'contract.invalid_event');
    const { amount: _amount, ...withoutAmount } = billDrafted;
    expectEncodeError(
      () => encodeIntegrationEvent({ ...envelope, schema: BillDraftedSchema, data: withoutAmount }),
      'contract.invalid_event',
    );
    // Optional fields may be absent.
    expect(() =>
      encodeIntegrationEvent({ ...envelope, schema: UserRegisteredSchema, data: { userId: 'u', name: 'n', role: 'viewer' } }),
    ).not.toThrow();
  });

  it('rejects a message of another type with contract.invalid_event', () => {
    const untyped = encodeIntegrationEvent as (input: unknown) => Uint8Array;
    expectEncodeError(() => untyped({ ...envelope, schema: UserDeactivatedSchema, data: billDrafted }), 'contract.invalid_event');
  });

  it('rejects malformed envelope fields with contract.invalid_event', () => {
    const valid = { ...envelope, schema: UserDeactivatedSchema, data: { userId: 'user-2' } };
    expect(encodeIntegrationEvent(valid).length).toBeGreaterThan(0);
    expectEncodeError(() => encodeIntegrationEvent({ ...valid, eventId: 'evt-1' }), 'contract.invalid_event');
    expectEncodeError(() => encodeIntegrationEvent({ ...valid, occurredAt: new Date('nope') }), 'contract.invalid_event');
    expectEncodeError(() => encodeIntegrationEvent({ ...valid, streamId: '' }), 'contract.invalid_event');
    expectEncodeError(() => encodeIntegrationEvent({ ...valid, streamVersion: -1n }), 'contract.invalid_event');
    expectEncodeError(() => encodeIntegrationEvent({ ...valid, streamVersion: 1n << 64n }), 'contract.invalid_event');
    expectEncodeError(() => encodeIntegrationEvent({ ...valid, correlationId: '' }), 'contract.invalid_event');
    expectEncodeError(() => encodeIntegrationEvent({ ...valid, causationId: '' }), 'contract.invalid_event');
    expectEncodeError(() => encodeIntegrationEvent({ ...valid, actor: { ...envelope.actor, userId: '' } }), 'contract.invalid_event');
    expectEncodeError(() => encodeIntegrationEvent({ ...valid, schemaVersion: 0 }), 'contract.invalid_event');
    expectEncodeError(() => encodeIntegrationEvent({ ...valid, schemaVersion: 1.5 }), 'contract.invalid_event');
  });
});
