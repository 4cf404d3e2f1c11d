import { EventPattern } from '@nestjs/microservices';
import { decodeIntegrationEvent, topicOf, type DecodedIntegrationEvent } from '@billing/contracts';
import type { SqlExecutor } from '@billing/database';
import { BusTransport, busTransportFor, type BusMessage, type MessageBus } from '@billing/messaging';

/**
 * Declares an integration-event handler of service `service` (its consumer group):
 * `@OnIntegrationEvent('billing', 'customers.v1.UsagePeriodClosed') onClosed(@Payload() e, @Ctx() ctx: BusContext)`.
 * The handler runs once per event, inside a transaction shared with the dedup record
 * (`ctx.getTransaction()`), with retries and a dead letter on failure. The payload is the decoded
 * {@link DecodedIntegrationEvent} (envelope fields plus `message`).
 */
export function OnIntegrationEvent(service: string, type: string): MethodDecorator {
  return EventPattern<string>(type, busTransportFor(service));
}

/** Options of {@link createServiceTransport}. */
export interface ServiceTransportOptions {
  /** Service name: consumer group, transport id (see {@link OnIntegrationEvent}), dead-letter topic `<name>.dead-letter`. */
  name: string;
  bus: MessageBus;
  db: SqlExecutor;
  /** The service's schema: its `processed_messages` table. */
  schema: string;
}

/**
 * The NestJS transport that feeds a service's `@OnIntegrationEvent` handlers from the bus: group =
 * service name, protobuf envelopes decoded by `@billing/contracts` (undecodable ones are dead-lettered
 * at once), idempotent per event id in the service's schema. Connect it in the composition root:
 * `app.connectMicroservice({ strategy }).useGlobalFilters(new BusExceptionFilter())`.
 */
export function createServiceTransport(options: ServiceTransportOptions): BusTransport<DecodedIntegrationEvent> {
  return new BusTransport<DecodedIntegrationEvent>({
    bus: options.bus,
    groupId: options.name,
    transportId: busTransportFor(options.name),
    topicOf: (type) => topicOf(type),
    decode: (message: BusMessage) => decodeIntegrationEvent(message.value),
    idempotency: { db: options.db, schema: options.schema },
    retry: { attempts: 5, initialDelayMs: 100, maxDelayMs: 5_000 },
  });
}
