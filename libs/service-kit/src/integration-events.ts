import { encodeIntegrationEvent, SYSTEM_ACTOR, topicOf, type EventInit, type EventType } from '@billing/contracts';
import type { RecordedEvent } from '@billing/event-store';
import { Header, type OutboxMessage } from '@billing/messaging';

/**
 * The outbox message that publishes `data` as integration event `type` for a stored domain event:
 * its envelope reuses the stored event's id (so a republished batch carries the same id and
 * consumers deduplicate), stream id and version, correlation and causation ids and actor (the
 * platform's system actor when the event has none); occurred-at is when the store recorded it,
 * unless `occurredAt` says otherwise. Topic: the type's context topic; key: the stream id.
 * @throws ContractError when `data` lacks a required field of `type`.
 */
export function integrationMessage<T extends EventType>(event: RecordedEvent, type: T, data: EventInit<T>, occurredAt?: Date): OutboxMessage {
  const meta = event.metadata;
  const actor = meta.actor ? { userId: meta.actor.userId, role: meta.actor.role, displayName: meta.actor.name ?? meta.actor.userId } : SYSTEM_ACTOR;
  const value = encodeIntegrationEvent({
    type,
    data,
    eventId: meta.eventId,
    occurredAt: occurredAt ?? meta.recordedAt,
    streamId: meta.streamName,
    streamVersion: meta.streamPosition,
    correlationId: meta.correlationId ?? meta.eventId,
    causationId: meta.causationId ?? meta.eventId,
    actor,
  });
  return { topic: topicOf(type), message: { key: meta.streamName, value, headers: { [Header.eventId]: meta.eventId, [Header.eventType]: type } } };
}
