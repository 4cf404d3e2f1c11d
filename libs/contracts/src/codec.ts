import { create, fromBinary, toBinary, type DescMessage, type Message, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { ContractDecodeError, ContractError } from './errors.js';
import { EventEnvelopeSchema, type EventEnvelope } from './gen/envelope/v1/envelope_pb.js';
import { eventRegistry, eventSchemaVersion, type EventInit, type EventMessage, type EventSchema, type EventType } from './registry.js';
import { assertWireTypes, findMissingRequiredField } from './validation.js';

/** Who caused an event: a user, or the platform itself ({@link SYSTEM_ACTOR}). */
export interface IntegrationEventActor {
  /** Id of the user; `'system'` for the platform. */
  userId: string;
  /** Role code the user acted in; `'system'` for the platform. */
  role: string;
  /** Human-readable name at the time of the event (audit only, not an identifier). */
  displayName: string;
}

/** The actor of events the platform produces on its own (schedulers, period closing, projections). */
export const SYSTEM_ACTOR: Readonly<IntegrationEventActor> = Object.freeze({ userId: 'system', role: 'system', displayName: 'System' });

/** The envelope fields of an integration event, as plain TypeScript values. */
export interface IntegrationEventMetadata {
  /** Unique event id (UUID). Consumers deduplicate on it. */
  eventId: string;
  /** Revision (≥ 1) of the payload message's schema. */
  schemaVersion: number;
  /** When the event happened (a UTC instant; millisecond precision). */
  occurredAt: Date;
  /** The stream (aggregate instance) the event belongs to; also the Kafka message key. */
  streamId: string;
  /** Position of the event in its stream (uint64). */
  streamVersion: bigint;
  /** Id shared by every message of one business flow. */
  correlationId: string;
  /** Id of the message that directly caused this event. */
  causationId: string;
  /** Who caused the event. */
  actor: IntegrationEventActor;
}

/** What {@link encodeIntegrationEvent} needs besides the event itself. */
export interface IntegrationEventEnvelopeInput extends Omit<IntegrationEventMetadata, 'schemaVersion'> {
  /** Payload schema revision; defaults to the type's current one (`eventSchemaVersion(type)`). */
  schemaVersion?: number;
}

/**
 * A decoded integration event: envelope fields plus the decoded message. A union over every event
 * type, discriminated by `type`: `switch (event.type) { case 'billing.v1.BillDrafted': event.message… }`.
 */
export type DecodedIntegrationEvent<T extends EventType = EventType> = {
  [K in T]: IntegrationEventMetadata & {
    /** Fully-qualified type of `message`, e.g. `'billing.v1.BillDrafted'`. */
    type: K;
    /** The decoded event message. */
    message: EventMessage<K>;
  };
}[T];

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const maxUint64 = (1n << 64n) - 1n;
const maxUint32 = 2 ** 32 - 1;

function isSchemaVersion(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= maxUint32;
}

/**
 * Encodes an integration event: the event message goes, protobuf-encoded, into the `payload` of an
 * `envelope.v1.EventEnvelope`, whose bytes are returned (the Kafka message value; use
 * `topicOf(type)` for the topic and `streamId` for the key).
 *
 * Name the event either by its descriptor (`schema: BillDraftedSchema`) or by its type name
 * (`type: 'billing.v1.BillDrafted'`); `data` is the message or its init object (money as
 * `{ amountMinor: bigint, currency }`, prices as decimal strings, 64-bit counts as bigint).
 *
 * @throws ContractError `contract.unknown_type` when the type is not a registered event;
 *   `contract.invalid_event` when an envelope field is malformed (eventId not a UUID, invalid
 *   occurredAt, empty streamId/correlationId/causationId/actor.userId, streamVersion outside uint64,
 *   schemaVersion not an integer in 1..2^32-1) or the message lacks a required field (a `*_id` or
 *   message-typed field not declared `optional`) or holds a value its field cannot encode.
 */
export function encodeIntegrationEvent<D extends EventSchema>(
  input: IntegrationEventEnvelopeInput & { schema: D; data: MessageInitShape<D> },
): Uint8Array;
export function encodeIntegrationEvent<T extends EventType>(input: IntegrationEventEnvelopeInput & { type: T; data: EventInit<T> }): Uint8Array;
export function encodeIntegrationEvent(
  input: IntegrationEventEnvelopeInput & { schema?: DescMessage; type?: string; data: unknown },
): Uint8Array {
  const typeName = input.schema?.typeName ?? input.type ?? '';
  const schema = eventRegistry.getMessage(typeName);
  if (schema === undefined) {
    throw new ContractError('contract.unknown_type', `cannot encode "${typeName}": not a registered integration event type`, {
      eventType: typeName,
      eventId: input.eventId,
    });
  }
  const invalid = (reason: string, cause?: unknown): ContractError =>
    new ContractError('contract.invalid_event', `cannot encode ${typeName} event ${input.eventId}: ${reason}`, {
      eventType: typeName,
      eventId: input.eventId,
      cause,
    });

  if (!uuidPattern.test(input.eventId)) throw invalid('eventId must be a UUID');
  if (!(input.occurredAt instanceof Date) || Number.isNaN(input.occurredAt.getTime())) throw invalid('occurredAt must be a valid Date');
  if (input.streamId === '') throw invalid('streamId must not be empty');
  if (typeof input.streamVersion !== 'bigint' || input.streamVersion < 0n || input.streamVersion > maxUint64) {
    throw invalid('streamVersion must be a bigint in the uint64 range');
  }
  if (input.correlationId === '') throw invalid('correlationId must not be empty');
  if (input.causationId === '') throw invalid('causationId must not be empty');
  if (input.actor.userId === '') throw invalid('actor.userId must not be empty');
  const schemaVersion = input.schemaVersion ?? eventSchemaVersion(typeName as EventType);
  if (!isSchemaVersion(schemaVersion)) throw invalid('schemaVersion must be an integer in 1..2^32-1');

  const data = input.data as Message | Record<string, unknown>;
  if (typeof data.$typeName === 'string' && data.$typeName !== typeName) {
    throw invalid(`data is a ${data.$typeName} message`);
  }
  let payload: Uint8Array;
  try {
    const message = create(schema, data);
    const missing = findMissingRequiredField(schema, message);
    if (missing !== undefined) throw invalid(`required field ${missing} is not set`);
    payload = toBinary(schema, message);
  } catch (error) {
    if (error instanceof ContractError) throw error;
    throw invalid(error instanceof Error ? error.message : String(error), error);
  }

  const envelope = create(EventEnvelopeSchema, {
    eventId: input.eventId,
    type: typeName,
    schemaVersion,
    occurredAt: timestampFromDate(input.occurredAt),
    streamId: input.streamId,
    streamVersion: input.streamVersion,
    correlationId: input.correlationId,
    causationId: input.causationId,
    actor: { userId: input.actor.userId, role: input.actor.role, displayName: input.actor.displayName },
    payload,
  });
  try {
    return toBinary(EventEnvelopeSchema, envelope);
  } catch (error) {
    throw invalid(error instanceof Error ? error.message : String(error), error);
  }
}

/**
 * Decodes the bytes of an integration event (as produced by {@link encodeIntegrationEvent}, e.g. a
 * Kafka message value; a Node.js Buffer works) into its envelope fields and decoded message.
 *
 * Fields added to a message by a newer producer are kept as unknown fields, never an error; a type
 * this build does not know is (`contract.unknown_type`).
 *
 * @throws ContractDecodeError (never retry: dead-letter the message) with code
 *   - `contract.decode_failed` when the bytes are not a valid envelope (malformed protobuf, a field
 *     with the wrong wire type, eventId not a UUID, no type, schemaVersion 0, missing or invalid
 *     occurredAt, empty streamId/correlationId/causationId, missing actor or actor.userId) or the
 *     payload does not match its type (malformed, wrong wire types, a required field missing);
 *   - `contract.unknown_type` when the envelope is valid but its type is not a registered event.
 *   `eventId` and `eventType` are set on the error once they could be read.
 */
export function decodeIntegrationEvent(bytes: Uint8Array): DecodedIntegrationEvent {
  let envelope: EventEnvelope;
  try {
    assertWireTypes(EventEnvelopeSchema, bytes);
    envelope = fromBinary(EventEnvelopeSchema, bytes);
  } catch (error) {
    throw new ContractDecodeError('contract.decode_failed', `not an integration event envelope: ${messageOf(error)}`, { cause: error });
  }
  const details = { eventId: envelope.eventId || undefined, eventType: envelope.type || undefined };
  const failed = (reason: string, cause?: unknown): ContractDecodeError =>
    new ContractDecodeError('contract.decode_failed', `invalid integration event${envelope.type ? ` ${envelope.type}` : ''}: ${reason}`, {
      ...details,
      cause,
    });

  const missing = findMissingRequiredField(EventEnvelopeSchema, envelope);
  if (missing !== undefined) throw failed(`required field ${missing} is not set`);
  if (!uuidPattern.test(envelope.eventId)) throw failed('event_id is not a UUID');
  if (envelope.type === '') throw failed('type is not set');
  if (!isSchemaVersion(envelope.schemaVersion)) throw failed('schema_version is not set');
  const timestamp = envelope.occurredAt;
  const occurredAt = timestamp === undefined ? undefined : timestampDate(timestamp);
  if (timestamp === undefined || occurredAt === undefined || timestamp.nanos < 0 || timestamp.nanos > 999_999_999 || Number.isNaN(occurredAt.getTime())) {
    throw failed('occurred_at is not a valid timestamp');
  }
  const actor = envelope.actor;
  if (actor === undefined) throw failed('actor is not set');

  const schema = eventRegistry.getMessage(envelope.type);
  if (schema === undefined) {
    throw new ContractDecodeError('contract.unknown_type', `unknown integration event type "${envelope.type}"`, details);
  }
  let message: Message;
  try {
    assertWireTypes(schema, envelope.payload);
    message = fromBinary(schema, envelope.payload);
  } catch (error) {
    throw failed(`payload is not a ${schema.typeName}: ${messageOf(error)}`, error);
  }
  const missingInPayload = findMissingRequiredField(schema, message);
  if (missingInPayload !== undefined) throw failed(`payload is not a valid ${schema.typeName}: required field ${missingInPayload} is not set`);

  return {
    eventId: envelope.eventId,
    type: envelope.type as EventType,
    schemaVersion: envelope.schemaVersion,
    occurredAt,
    streamId: envelope.streamId,
    streamVersion: envelope.streamVersion,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    actor: { userId: actor.userId, role: actor.role, displayName: actor.displayName },
    message: message as EventMessage,
  } as DecodedIntegrationEvent;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
