import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { deadLetterTopic, Header, type BusMessage } from '../bus.js';
import { parseDeadLetter, type DeadLetter } from '../dead-letter.js';
import { NonRetryableError } from '../errors.js';
import { MemoryBus } from '../memory/memory-bus.js';
import { openPGliteTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { waitUntil } from '../testing/wait.js';
import { BusContext, BusExceptionFilter, BusTransport, busTransportFor, type DecodedEvent } from './bus-transport.js';

/** The envelope as this test encodes it (the real one is protobuf, decoded by the contracts lib). */
interface TestEvent extends DecodedEvent {
  payload: { customerId: string; quantity: number };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const topicOf = (type: string) => `${type.split('.')[0]}.events.v1`;
const decode = (message: BusMessage): TestEvent => JSON.parse(decoder.decode(message.value)) as TestEvent;
const silent = { warn: () => undefined, error: () => undefined };

function event(eventId: string, type: string, quantity = 1) {
  return {
    key: 'cust-1',
    value: encoder.encode(JSON.stringify({ eventId, type, payload: { customerId: 'cust-1', quantity } })),
    headers: { [Header.eventId]: eventId, [Header.eventType]: type },
  };
}

/** What the handlers saw; reset by nothing: each test uses its own event ids. */
const seen = {
  closed: [] as { eventId: string; topic: string; envelopeIsPayload: boolean }[],
  suspendedAttempts: 0,
};
let schema = '';

@Controller()
class UsageController {
  // `<string>` picks Nest 12's untyped overload, so the handler may take a typed `@Ctx()` (see BusContext).
  @EventPattern<string>('customers.v1.UsagePeriodClosed')
  async onUsagePeriodClosed(@Payload() usage: TestEvent, @Ctx() context: BusContext<TestEvent>): Promise<void> {
    seen.closed.push({ eventId: usage.eventId, topic: context.getMessage().topic, envelopeIsPayload: context.getEnvelope() === usage });
    await context.getTransaction().query(`INSERT INTO "${schema}".usage_closed (event_id, quantity) VALUES ($1, $2)`, [usage.eventId, usage.payload.quantity]);
    if (usage.payload.quantity < 0) throw new NonRetryableError('quantity must not be negative');
  }

  @EventPattern('customers.v1.CustomerSuspended')
  async onCustomerSuspended(@Payload() _suspended: TestEvent): Promise<void> {
    seen.suspendedAttempts++;
    throw new Error('billing paused: customer suspended');
  }
}

@Module({ controllers: [UsageController] })
class BillingTestModule {}

describe('BusTransport (NestJS microservice on MemoryBus + PGlite)', () => {
  let database: TestDatabase;
  let bus: MemoryBus;
  let app: INestMicroservice;
  const letters: BusMessage[] = [];
  const letter = (eventId: string): DeadLetter | undefined =>
    letters.map((m) => parseDeadLetter(m)).find((l) => l?.headers[Header.eventId] === eventId);
  const rows = async (table: string, eventId: string) =>
    Number((await database.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${schema}".${table} WHERE event_id = $1`, [eventId])).rows[0]?.n);

  beforeAll(async () => {
    database = await openPGliteTestDatabase('msg_nest');
    schema = database.schema;
    bus = new MemoryBus({ redeliveryDelayMs: 5 });
    await bus.subscribe({ groupId: 'dlq-observer', topics: [deadLetterTopic('billing')], handler: async (m) => void letters.push(m) });
    const transport = new BusTransport<TestEvent>({
      bus,
      groupId: 'billing',
      topicOf,
      decode,
      idempotency: { db: database.db, schema },
      retry: { attempts: 3, initialDelayMs: 1, maxDelayMs: 5 },
      logger: silent,
    });
    app = await NestFactory.createMicroservice(BillingTestModule, { strategy: transport, logger: false });
    app.useGlobalFilters(new BusExceptionFilter());
    await app.listen(); // creates the schema and processed_messages
    expect((await database.db.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'processed_messages'`, [schema])).rows).toHaveLength(1);
    await database.db.exec(`CREATE TABLE "${schema}".usage_closed (event_id text NOT NULL, quantity int NOT NULL)`);
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    await bus?.close();
    await database?.close();
  });

  it('invokes the @EventPattern handler once per event even when the event is delivered twice', async () => {
    await bus.publish('customers.events.v1', [event('evt-1', 'customers.v1.UsagePeriodClosed', 5)]);
    await bus.publish('customers.events.v1', [event('evt-1', 'customers.v1.UsagePeriodClosed', 5)]);

    expect(seen.closed.filter((c) => c.eventId === 'evt-1')).toEqual([{ eventId: 'evt-1', topic: 'customers.events.v1', envelopeIsPayload: true }]);
    expect(await rows('usage_closed', 'evt-1')).toBe(1);
    expect(await rows('processed_messages', 'evt-1')).toBe(1);
  });

  it('commits and ignores an event type nobody handles', async () => {
    await bus.publish('customers.events.v1', [event('evt-2', 'customers.v1.CustomerRenamed')]);
    const offsets = await bus.offsets('customers.events.v1', 'billing');
    expect(offsets.every((p) => p.committed === p.end)).toBe(true);
    expect(seen.closed.some((c) => c.eventId === 'evt-2')).toBe(false);
    expect(letter('evt-2')).toBeUndefined();
  });

  it('dead-letters a message that cannot be decoded, and keeps consuming', async () => {
    await bus.publish('customers.events.v1', [{ key: 'cust-1', value: encoder.encode('{truncated'), headers: { [Header.eventId]: 'evt-3' } }]);
    await bus.publish('customers.events.v1', [event('evt-4', 'customers.v1.UsagePeriodClosed')]);

    await waitUntil('the undecodable message is dead-lettered', () => letter('evt-3') !== undefined);
    expect(letter('evt-3')).toMatchObject({ originalTopic: 'customers.events.v1', failedGroup: 'billing', attempts: 1, errorKind: 'decode' });
    expect(letter('evt-3')?.error).toMatch(/^cannot decode customers\.events\.v1/);
    expect(seen.closed.some((c) => c.eventId === 'evt-4')).toBe(true);
  });

  it('retries a failing handler, then dead-letters the event with the handler’s own error', async () => {
    await bus.publish('customers.events.v1', [event('evt-5', 'customers.v1.CustomerSuspended')]);

    await waitUntil('the failing event is dead-lettered', () => letter('evt-5') !== undefined);
    expect(seen.suspendedAttempts).toBe(3);
    expect(letter('evt-5')).toMatchObject({ attempts: 3, errorKind: 'exhausted', error: 'billing paused: customer suspended' });
    expect(await rows('processed_messages', 'evt-5')).toBe(0);
  });

  it('dead-letters a non-retryable error at once and rolls its effect back', async () => {
    await bus.publish('customers.events.v1', [event('evt-6', 'customers.v1.UsagePeriodClosed', -3)]);

    await waitUntil('the rejected event is dead-lettered', () => letter('evt-6') !== undefined);
    expect(letter('evt-6')).toMatchObject({ attempts: 1, errorKind: 'non-retryable', error: 'quantity must not be negative' });
    expect(seen.closed.filter((c) => c.eventId === 'evt-6')).toHaveLength(1);
    expect(await rows('usage_closed', 'evt-6')).toBe(0);
    expect(await rows('processed_messages', 'evt-6')).toBe(0);
  });
});

describe('BusTransport without idempotency or BusExceptionFilter', () => {
  it('still dead-letters handler failures, saying how to keep the original error', async () => {
    const bus = new MemoryBus({ redeliveryDelayMs: 5 });
    const letters: BusMessage[] = [];
    await bus.subscribe({ groupId: 'observer', topics: [deadLetterTopic('plain')], handler: async (m) => void letters.push(m) });
    const transport = new BusTransport<TestEvent>({ bus, groupId: 'plain', topicOf, decode, retry: { attempts: 2, initialDelayMs: 1 }, logger: silent });
    const app = await NestFactory.createMicroservice(BillingTestModule, { strategy: transport, logger: false });
    await app.listen();
    try {
      // Without idempotency there is no transaction: getTransaction() throws inside the handler.
      await bus.publish('customers.events.v1', [event('evt-7', 'customers.v1.UsagePeriodClosed')]);
      await waitUntil('the failure is dead-lettered', () => letters.length === 1);
      const dead = parseDeadLetter(letters[0] as BusMessage);
      expect(dead).toMatchObject({ attempts: 2, errorKind: 'exhausted' });
      expect(dead?.error).toMatch(/register BusExceptionFilter/);
      expect(transport.eventTypes().sort()).toEqual(['customers.v1.CustomerSuspended', 'customers.v1.UsagePeriodClosed']);
    } finally {
      await app.close();
      await bus.close();
    }
  });
});

describe('BusTransport per service in one application (busTransportFor)', () => {
  const calls: string[] = [];

  @Controller()
  class BillingHandlers {
    @EventPattern<string>('customers.v1.UsagePeriodClosed', busTransportFor('billing'))
    onClosed(@Payload() event: TestEvent): void {
      calls.push(`billing:${event.eventId}`);
    }
  }

  @Controller()
  class ApprovalsHandlers {
    @EventPattern<string>('customers.v1.UsagePeriodClosed', busTransportFor('approvals'))
    onClosed(@Payload() event: TestEvent): void {
      calls.push(`approvals:${event.eventId}`);
    }
  }

  @Module({ controllers: [BillingHandlers, ApprovalsHandlers] })
  class BothServices {}

  it('registers each handler only on its own service’s transport, so each group runs only its handlers', async () => {
    const bus = new MemoryBus({ redeliveryDelayMs: 5 });
    const transports = ['billing', 'approvals'].map(
      (groupId) => new BusTransport<TestEvent>({ bus, groupId, topicOf, decode, transportId: busTransportFor(groupId), logger: silent }),
    );
    const app = await NestFactory.create(BothServices, { logger: false });
    for (const strategy of transports) app.connectMicroservice({ strategy });
    await app.startAllMicroservices();
    try {
      expect(transports.map((t) => t.eventTypes())).toEqual([['customers.v1.UsagePeriodClosed'], ['customers.v1.UsagePeriodClosed']]);
      await bus.publish('customers.events.v1', [event('evt-per-service', 'customers.v1.UsagePeriodClosed')]);
      expect(calls.sort()).toEqual(['approvals:evt-per-service', 'billing:evt-per-service']);
    } finally {
      await app.close();
      await bus.close();
    }
  });
});
