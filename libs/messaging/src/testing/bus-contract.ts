import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { deadLetterTopic, Header, type BusMessage, type MessageBus, type OutgoingMessage, type Subscription } from '../bus.js';
import { ConsumerRunner, type RetryOptions } from '../consumer-runner.js';
import { parseDeadLetter } from '../dead-letter.js';
import { DecodeError } from '../errors.js';
import { handleOnce, migrateProcessedMessages } from '../idempotent-consumer.js';
import { replayDeadLetters } from '../replay.js';
import type { TestDatabase } from './test-database.js';
import { waitUntil } from './wait.js';
import { PostgresEventStore } from '@billing/event-store';
import { OutboxRelay, type OutboxMapper } from '../outbox/outbox-relay.js';

/** How {@link defineBusContract} gets its subject. */
export interface BusContractOptions {
  /** Creates the bus under test; called once (beforeAll), closed afterwards. */
  createBus(): MessageBus | Promise<MessageBus>;
  /** The database for the idempotency case; called once, closed (schema dropped) afterwards. */
  openDatabase(): Promise<TestDatabase>;
  /** Runs after the bus and database are closed (e.g. stops a broker). */
  cleanup?(): Promise<void>;
  /** Run the cases concurrently (they use distinct topics and groups): worth it when group joins are slow. */
  concurrent?: boolean;
  /** Per-case timeout in milliseconds (default 40 000); waits inside a case give up a bit earlier. */
  timeoutMs?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const text = (value: Uint8Array) => decoder.decode(value);
const silent = { warn: () => undefined, error: () => undefined };
/** Small back-offs: the contract checks behaviour, not timing. */
const fastRetry: RetryOptions = { attempts: 3, initialDelayMs: 5, maxDelayMs: 20 };

function message(key: string, value: string, headers: Record<string, string> = {}): OutgoingMessage {
  return { key, value: encoder.encode(value), headers };
}

/**
 * Defines the message-bus contract suite: the same cases, run against any {@link MessageBus} adapter
 * (`MemoryBus` in `memory-bus.spec.ts`, `KafkaBus` in `kafka-bus.int.spec.ts`):
 * order per key; a two-member group shares the partitions and handles each message once, and the
 * survivor takes over every partition when a member closes; a redelivered event has one effect with `handleOnce`;
 * a message that always fails is dead-lettered with its error while later messages keep flowing;
 * `replayDeadLetters` republishes dead letters (filtered, then the rest, then nothing); a message that
 * fails decoding is dead-lettered at once.
 */
export function defineBusContract(name: string, options: BusContractOptions): void {
  const timeoutMs = options.timeoutMs ?? 40_000;
  const waitMs = Math.max(1_000, timeoutMs - 5_000);
  const run = `c${randomBytes(4).toString('hex')}`;
  const topicFor = (id: string) => `${run}.${id}-events.v1`;
  const groupFor = (id: string) => `${run}-${id}`;
  const test = options.concurrent ? it.concurrent : it;
  const until = (what: string, condition: () => boolean | Promise<boolean>) => waitUntil(what, condition, { timeoutMs: waitMs });

  describe(`${name} bus contract`, () => {
    let bus: MessageBus;
    let database: TestDatabase;
    const subscriptions: Subscription[] = [];
    const runners: ConsumerRunner[] = [];

    async function subscribe(groupId: string, topics: string[], handler: (message: BusMessage) => Promise<void>): Promise<Subscription> {
      const subscription = await bus.subscribe({ groupId, topics, handler });
      subscriptions.push(subscription);
      return subscription;
    }

    /** Collects everything published to `topic` through a group of its own. */
    async function observe(topic: string, groupId: string): Promise<BusMessage[]> {
      const seen: BusMessage[] = [];
      await subscribe(groupId, [topic], async (m) => {
        seen.push(m);
      });
      return seen;
    }

    async function startRunner(runner: ConsumerRunner): Promise<ConsumerRunner> {
      runners.push(runner);
      await runner.start();
      return runner;
    }

    async function deadLetterCount(groupId: string): Promise<number> {
      const offsets = await bus.offsets(deadLetterTopic(groupId));
      return offsets.reduce((sum, p) => sum + Number(BigInt(p.end) - BigInt(p.start)), 0);
    }

    beforeAll(async () => {
      [bus, database] = await Promise.all([options.createBus(), options.openDatabase()]);
      await migrateProcessedMessages(database.db, database.schema);
      await database.db.exec(`CREATE TABLE "${database.schema}".effects (event_id text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    }, 60_000);

    afterAll(async () => {
      await Promise.allSettled(runners.map((r) => r.stop()));
      await Promise.allSettled(subscriptions.map((s) => s.close()));
      await Promise.allSettled([bus?.close(), database?.close()]);
      await options.cleanup?.();
    }, 60_000);

    test(
      'keeps the order of each key’s messages',
      async () => {
        const topic = topicFor('order');
        await bus.ensureTopics([topic]);
        const seen: BusMessage[] = [];
        await subscribe(groupFor('order'), [topic], async (m) => {
          seen.push(m);
        });
        const keys = ['acct-1', 'acct-2', 'acct-3', 'acct-4', 'acct-5', 'acct-6'];
        // One batch with several messages per key, then batches published one after another.
        await bus.publish(topic, keys.flatMap((key) => [0, 1, 2].map((i) => message(key, `${key}#${i}`))));
        for (let i = 3; i < 8; i++) await bus.publish(topic, keys.map((key) => message(key, `${key}#${i}`)));

        await until('48 messages are handled', () => seen.length >= 48);
        expect(seen).toHaveLength(48);
        for (const key of keys) {
          const ofKey = seen.filter((m) => m.key === key);
          expect(ofKey.map((m) => text(m.value))).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `${key}#${i}`));
          expect(new Set(ofKey.map((m) => m.partition)).size).toBe(1);
          const offsets = ofKey.map((m) => BigInt(m.offset));
          expect(offsets.every((offset, i) => i === 0 || offset > (offsets[i - 1] ?? -1n))).toBe(true);
        }
      },
      timeoutMs,
    );

    test(
      'shares the partitions between the members of a group, handles each message once, and moves partitions when a member closes',
      async () => {
        const topic = topicFor('group');
        const groupId = groupFor('group');
        await bus.ensureTopics([topic]);
        const byMember: Record<'a' | 'b', BusMessage[]> = { a: [], b: [] };
        const a = await subscribe(groupId, [topic], async (m) => {
          byMember.a.push(m);
        });
        await subscribe(groupId, [topic], async (m) => {
          byMember.b.push(m);
        });
        const keys = Array.from({ length: 20 }, (_, i) => `stream-${i}`);
        await bus.publish(topic, keys.flatMap((key) => [message(key, `${key}:1`), message(key, `${key}:2`)]));

        const total = () => byMember.a.length + byMember.b.length;
        await until('40 messages are handled by the group', () => total() >= 40);
        const values = [...byMember.a, ...byMember.b].map((m) => text(m.value));
        expect(values).toHaveLength(40);
        expect(new Set(values).size).toBe(40);
        expect(byMember.a.length).toBeGreaterThan(0);
        expect(byMember.b.length).toBeGreaterThan(0);
        const partitionsOfA = new Set(byMember.a.map((m) => m.partition));
        expect(byMember.b.some((m) => partitionsOfA.has(m.partition))).toBe(false);

        await a.close();
        const handledByA = byMember.a.length;
        await bus.publish(topic, keys.map((key) => message(key, `${key}:3`)));
        // While the group rebalances a commit can fail and a message come again (at-least-once: that
        // is what handleOnce is for), so this part checks coverage, not uniqueness.
        const takenOver = () => new Set(byMember.b.map((m) => text(m.value)).filter((v) => v.endsWith(':3')));
        await until('the remaining member handles the messages of every partition', () => takenOver().size === keys.length);
        expect([...takenOver()].sort()).toEqual(keys.map((key) => `${key}:3`).sort());
        expect(byMember.a).toHaveLength(handledByA);
      },
      timeoutMs,
    );

    test(
      'gives a redelivered event one effect (handleOnce on a real database)',
      async () => {
        const topic = topicFor('idem');
        const groupId = groupFor('idem');
        const { db, schema } = database;
        const outcomes: string[] = [];
        const crashAfterCommit = new Set(['evt-2']);
        await bus.ensureTopics([topic]);
        await subscribe(groupId, [topic], async (m) => {
          const eventId = m.headers[Header.eventId] ?? '';
          const outcome = await handleOnce(db, { schema, groupId, eventId }, async (tx) => {
            await tx.query(`INSERT INTO "${schema}".effects (event_id) VALUES ($1)`, [eventId]);
          });
          outcomes.push(`${eventId}:${outcome}`);
          // The effect committed but the offset did not: the bus must deliver it again.
          if (outcome === 'processed' && crashAfterCommit.delete(eventId)) throw new Error('crashed before the offset commit');
        });
        await bus.publish(topic, [message('inv-1', 'first', { [Header.eventId]: 'evt-1' }), message('inv-1', 'second', { [Header.eventId]: 'evt-2' })]);
        // The same event published again (an outbox relay retrying after a lost acknowledgement).
        await bus.publish(topic, [message('inv-1', 'first', { [Header.eventId]: 'evt-1' })]);

        await until('both duplicates are recognised', () => outcomes.includes('evt-1:duplicate') && outcomes.includes('evt-2:duplicate'));
        expect(outcomes).toEqual(['evt-1:processed', 'evt-2:processed', 'evt-2:duplicate', 'evt-1:duplicate']);
        const effects = await db.query<{ event_id: string; n: string }>(
          `SELECT event_id, count(*)::text AS n FROM "${schema}".effects WHERE event_id IN ('evt-1', 'evt-2') GROUP BY event_id ORDER BY event_id`,
        );
        expect(effects.rows).toEqual([
          { event_id: 'evt-1', n: '1' },
          { event_id: 'evt-2', n: '1' },
        ]);
      },
      timeoutMs,
    );

    test(
      'dead-letters a message that always fails, with its error, while later messages keep flowing',
      async () => {
        const topic = topicFor('poison');
        const groupId = groupFor('poison');
        const handled: string[] = [];
        let poison: BusMessage | undefined;
        let poisonAttempts = 0;
        await bus.ensureTopics([topic, deadLetterTopic(groupId)]);
        const runner = new ConsumerRunner({
          bus,
          groupId,
          topics: [topic],
          retry: fastRetry,
          logger: silent,
          handler: async (m) => {
            if (text(m.value) === 'poison') {
              poison = m;
              poisonAttempts++;
              throw new Error('quantity must not be negative');
            }
            handled.push(text(m.value));
          },
        });
        const [letters] = await Promise.all([observe(deadLetterTopic(groupId), groupFor('poison-observer')), startRunner(runner)]);
        await bus.publish(topic, [
          message('meter-1', 'ok-1'),
          message('meter-1', 'poison', { [Header.eventId]: 'evt-poison', [Header.eventType]: 'usage.v1.Recorded' }),
          message('meter-1', 'ok-2'),
        ]);
        await bus.publish(topic, [message('meter-2', 'ok-3')]);

        await until('later messages are handled and the poison is dead-lettered', () => handled.length === 3 && letters.length === 1);
        expect(handled.filter((v) => v !== 'ok-3')).toEqual(['ok-1', 'ok-2']);
        expect(handled).toContain('ok-3');
        expect(poisonAttempts).toBe(3);
        const letter = parseDeadLetter(letters[0] as BusMessage);
        expect(letter).toMatchObject({
          key: 'meter-1',
          headers: { [Header.eventId]: 'evt-poison', [Header.eventType]: 'usage.v1.Recorded' },
          originalTopic: topic,
          originalPartition: poison?.partition,
          originalOffset: poison?.offset,
          failedGroup: groupId,
          attempts: 3,
          error: 'quantity must not be negative',
          errorKind: 'exhausted',
        });
        expect(text(letter?.value ?? new Uint8Array())).toBe('poison');
      },
      timeoutMs,
    );

    test(
      'replays dead letters to their original topic: filtered ones first, the rest later, none twice',
      async () => {
        const topic = topicFor('replay');
        const groupId = groupFor('replay');
        const handled: string[] = [];
        let fixed = false;
        await bus.ensureTopics([topic, deadLetterTopic(groupId)]);
        await startRunner(
          new ConsumerRunner({
            bus,
            groupId,
            topics: [topic],
            retry: { ...fastRetry, attempts: 1 },
            logger: silent,
            handler: async (m) => {
              if (!fixed && text(m.value).startsWith('bad')) throw new Error('not yet');
              handled.push(text(m.value));
            },
          }),
        );
        await bus.publish(topic, [message('k-1', 'bad-1', { [Header.eventId]: 'e-1' }), message('k-2', 'bad-2'), message('k-3', 'good')]);
        await until('both bad messages are dead-lettered', async () => handled.includes('good') && (await deadLetterCount(groupId)) === 2);
        expect(handled).toEqual(['good']);

        fixed = true;
        const first = await replayDeadLetters(bus, groupId, { filter: (letter) => text(letter.value) === 'bad-1', timeoutMs: waitMs });
        expect(first).toEqual({ replayed: 1, kept: 1 });
        await until('the filtered letter is handled again', () => handled.includes('bad-1'));

        const second = await replayDeadLetters(bus, groupId, { timeoutMs: waitMs });
        expect(second).toEqual({ replayed: 1, kept: 0 });
        await until('the kept letter is handled too', () => handled.includes('bad-2'));

        expect(await replayDeadLetters(bus, groupId, { timeoutMs: waitMs })).toEqual({ replayed: 0, kept: 0 });
        expect(handled.sort()).toEqual(['bad-1', 'bad-2', 'good']);
      },
      timeoutMs,
    );

    test(
      'loses nothing when the outbox relay is killed between append and publish, and the restarted relay causes no duplicated effect',
      async () => {
        const store = new PostgresEventStore(database.db, { schema: database.schema });
        await store.migrate();
        const topicA = topicFor('outbox-a');
        const topicB = topicFor('outbox-b');
        const groupId = groupFor('outbox');
        await bus.ensureTopics([topicA, topicB]);
        const deliveries: string[] = [];
        const effects: string[] = [];
        await subscribe(groupId, [topicA, topicB], async (m) => {
          const eventId = m.headers[Header.eventId]!;
          deliveries.push(eventId);
          await handleOnce(database.db, { schema: database.schema, groupId, eventId }, async () => {
            effects.push(eventId);
          });
        });
        // One batch spanning two topics: the relay publishes it in two sends.
        await store.appendToStream('bill-outbox-a', Array.from({ length: 5 }, (_, i) => ({ type: 'BillActed', data: { i } })));
        await store.appendToStream('bill-outbox-b', Array.from({ length: 5 }, (_, i) => ({ type: 'BillActed', data: { i } })));
        const map: OutboxMapper = (event) => ({
          topic: event.metadata.streamName === 'bill-outbox-a' ? topicA : topicB,
          message: { key: event.metadata.streamName, value: encoder.encode(event.metadata.eventId), headers: { [Header.eventId]: event.metadata.eventId } },
        });

        // The relay dies after the broker acknowledged the first send, before its checkpoint.
        let sends = 0;
        const dying: MessageBus = Object.create(bus, {
          publish: {
            value: async (topic: string, messages: readonly OutgoingMessage[]) => {
              if (++sends > 1) throw new Error('relay killed');
              await bus.publish(topic, messages);
            },
          },
        });
        await expect(new OutboxRelay({ store, bus: dying, map, consumerId: `${run}-relay` }).catchUp()).rejects.toThrow('relay killed');
        await until('the acknowledged half is delivered', () => deliveries.length >= 5);

        const restarted = new OutboxRelay({ store, bus, map, consumerId: `${run}-relay` });
        expect(await restarted.catchUp()).toBe(10);
        const all = (await store.readAll()).map((e) => e.metadata.eventId);
        // 5 acknowledged before the kill + the whole batch again from the checkpoint.
        // A delivery is recorded before its effect commits: wait for both, then check each effect happened once.
        await until(
          'the republished batch is delivered and handled',
          () => deliveries.length >= 15 && all.every((id) => deliveries.includes(id) && effects.includes(id)),
        );
        expect([...effects].sort()).toEqual([...all].sort());
        expect(await restarted.catchUp()).toBe(0);
      },
      timeoutMs,
    );

    test(
      'dead-letters a message that fails decoding at its first failure',
      async () => {
        const topic = topicFor('decode');
        const groupId = groupFor('decode');
        const handled: string[] = [];
        let decodeCalls = 0;
        await bus.ensureTopics([topic, deadLetterTopic(groupId)]);
        const runner = new ConsumerRunner({
          bus,
          groupId,
          topics: [topic],
          retry: fastRetry,
          logger: silent,
          handler: async (m) => {
            decodeCalls++;
            let event: { id: string };
            try {
              event = JSON.parse(text(m.value)) as { id: string };
            } catch (error) {
              throw new DecodeError(`not JSON: ${(error as Error).message}`);
            }
            handled.push(event.id);
          },
        });
        const [letters] = await Promise.all([observe(deadLetterTopic(groupId), groupFor('decode-observer')), startRunner(runner)]);
        await bus.publish(topic, [message('d', JSON.stringify({ id: 'one' })), message('d', '{not json'), message('d', JSON.stringify({ id: 'two' }))]);

        await until('the valid messages are handled and the garbage dead-lettered', () => handled.length === 2 && letters.length === 1);
        expect(handled).toEqual(['one', 'two']);
        expect(decodeCalls).toBe(3);
        const letter = parseDeadLetter(letters[0] as BusMessage);
        expect(letter).toMatchObject({ originalTopic: topic, failedGroup: groupId, attempts: 1, errorKind: 'decode' });
        expect(letter?.error).toMatch(/^not JSON/);
        expect(text(letter?.value ?? new Uint8Array())).toBe('{not json');
      },
      timeoutMs,
    );
  });
}
