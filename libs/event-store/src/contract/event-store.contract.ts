import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { quoteIdentifier, uniqueSchema, type SqlExecutor } from '@billing/database';
import { ExpectedVersionConflictError, STREAM_DOES_NOT_EXIST, type Event } from '@event-driven-io/emmett';
import { PostgresEventStore, type RecordedEvent } from '../postgres-event-store.js';
import { GlobalLogConsumer } from '../consumer.js';
import { commandHandler } from '../command-handler.js';

/**
 * The event store contract: the same cases for every backend the store runs on.
 * `open` gives a database (or a reason to skip the whole suite); each case works in its own schema.
 */
export function defineEventStoreContract(backend: string, open: () => Promise<{ db: SqlExecutor } | { skipReason: string }>): void {
  let db: SqlExecutor | undefined;
  let skipReason: string | undefined;
  const schemas: string[] = [];

  beforeAll(async () => {
    const opened = await open();
    if ('skipReason' in opened) {
      skipReason = opened.skipReason;
      console.warn(`Event store contract on ${backend} SKIPPED: ${skipReason}`);
    } else {
      db = opened.db;
    }
  });

  afterAll(async () => {
    if (!db) return;
    for (const schema of schemas) await db.exec(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
    await db.close();
  });

  async function freshStore(): Promise<PostgresEventStore> {
    const schema = uniqueSchema('es');
    schemas.push(schema);
    const store = new PostgresEventStore(db!, { schema });
    await store.migrate();
    return store;
  }

  type Counted = Event<'Counted', { writer: number }>;
  const counted = (writer: number): Counted => ({ type: 'Counted', data: { writer } });

  /** `it`, skipped at run time when the backend is missing (the reason was printed in beforeAll). */
  const test = (name: string, body: () => Promise<void>, timeout?: number) =>
    it(name, async () => {
      if (!db) return;
      await body();
    }, timeout);

  describe(`event store contract on ${backend}`, () => {
    test('appends with versions 1..n and reads them back in order with their metadata', async () => {
      const store = await freshStore();
      const first = await store.appendToStream('counter-a', [counted(1), counted(2)], { expectedStreamVersion: STREAM_DOES_NOT_EXIST });
      expect(first.nextExpectedStreamVersion).toBe(2n);
      expect(first.createdNewStream).toBe(true);
      const second = await store.appendToStream('counter-a', [counted(3)], {
        expectedStreamVersion: 2n,
      });
      expect(second.nextExpectedStreamVersion).toBe(3n);
      expect(second.lastEventGlobalPosition).toBeGreaterThan(first.lastEventGlobalPosition);

      const read = await store.readStream<Counted>('counter-a');
      expect(read.currentStreamVersion).toBe(3n);
      expect(read.events.map((e) => [e.data.writer, e.metadata.streamPosition, e.metadata.streamName])).toEqual([
        [1, 1n, 'counter-a'],
        [2, 2n, 'counter-a'],
        [3, 3n, 'counter-a'],
      ]);
      expect(new Set(read.events.map((e) => e.metadata.eventId)).size).toBe(3);
      expect((await store.readStream('counter-missing')).streamExists).toBe(false);
    });

    test('rejects a stale expected version and appends nothing', async () => {
      const store = await freshStore();
      await store.appendToStream('counter-b', [counted(1), counted(2)]);
      await expect(store.appendToStream('counter-b', [counted(99)], { expectedStreamVersion: 1n })).rejects.toBeInstanceOf(
        ExpectedVersionConflictError,
      );
      await expect(store.appendToStream('counter-b', [counted(99)], { expectedStreamVersion: STREAM_DOES_NOT_EXIST })).rejects.toBeInstanceOf(
        ExpectedVersionConflictError,
      );
      const read = await store.readStream<Counted>('counter-b');
      expect(read.currentStreamVersion).toBe(2n);
      expect(read.events.map((e) => e.data.writer)).toEqual([1, 2]);
      const all = await store.readAll();
      expect(all).toHaveLength(2);
    });

    test('rejects a repeated event id and appends nothing of that batch', async () => {
      const store = await freshStore();
      const eventId = '5b1f3a52-7d55-4d1e-9a44-1c3f6f1d0a01';
      await store.appendToStream('counter-c', [{ ...counted(1), metadata: { eventId } }]);
      await expect(store.appendToStream('counter-c', [counted(2), { ...counted(3), metadata: { eventId } }])).rejects.toMatchObject({
        code: '23505',
      });
      expect((await store.readStream('counter-c')).currentStreamVersion).toBe(1n);
    });

    test('20 concurrent writers on one stream: retried commands each apply once, pinned ones apply once or are rejected; the stream stays gapless', async () => {
      const store = await freshStore();
      const handle = commandHandler<{ writers: number[] }, { type: 'Count'; data: { writer: number } }, Counted>({
        initialState: () => ({ writers: [] }),
        evolve: (state, event) => ({ writers: [...state.writers, event.data.writer] }),
        decide: (command) => counted(command.data.writer),
        mapToStreamId: (id) => `counter-${id}`,
      });
      const writers = Array.from({ length: 20 }, (_, i) => i + 1);
      const results = await Promise.allSettled(writers.map((writer) => handle(store, 'race', { type: 'Count', data: { writer } })));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      const read = await store.readStream<Counted>('counter-race');
      expect(read.events.map((e) => e.metadata.streamPosition)).toEqual(writers.map(BigInt));
      expect(read.events.map((e) => e.data.writer).sort((a, b) => a - b)).toEqual(writers);

      // Pinned to the version they all read: exactly one wins, the others are rejected.
      const pinned = await Promise.allSettled(
        writers.map((writer) => store.appendToStream('counter-race', [counted(100 + writer)], { expectedStreamVersion: 20n })),
      );
      expect(pinned.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const rejected of pinned.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
        expect(rejected.reason).toBeInstanceOf(ExpectedVersionConflictError);
      }
      const after = await store.readStream<Counted>('counter-race');
      expect(after.events.map((e) => e.metadata.streamPosition)).toEqual([...writers, 21].map(BigInt));
    }, 30_000);

    test('a consumer restarted midway resumes from its checkpoint with no loss and no duplicated effect', async () => {
      const store = await freshStore();
      const s = quoteIdentifier(store.schema);
      await db!.exec(`CREATE TABLE ${s}.effects (event_id uuid PRIMARY KEY, applied integer NOT NULL)`);
      for (let i = 0; i < 5; i++) {
        await store.appendToStream(`counter-r${i}`, Array.from({ length: 10 }, (_, j) => counted(i * 10 + j)));
      }
      // The effect is deliberately not idempotent: a duplicate would show as applied = 2.
      const effect = async (events: RecordedEvent[], tx: { query: SqlExecutor['query'] }) => {
        for (const event of events) {
          await tx.query(
            `INSERT INTO ${s}.effects (event_id, applied) VALUES ($1, 1)
             ON CONFLICT (event_id) DO UPDATE SET applied = ${s}.effects.applied + 1`,
            [event.metadata.eventId],
          );
        }
      };
      let crashAfter = 25;
      const crashing = new GlobalLogConsumer(store, {
        consumerId: 'projection',
        delivery: 'transactional',
        batchSize: 10,
        handle: async (events, { tx }) => {
          for (const event of events) {
            if (crashAfter-- === 0) throw new Error('simulated crash');
            await effect([event], tx!);
          }
        },
      });
      await expect(crashing.catchUp()).rejects.toThrow('simulated crash');
      expect(crashing.processed).toBe(20);

      const restarted = new GlobalLogConsumer(store, {
        consumerId: 'projection',
        delivery: 'transactional',
        batchSize: 10,
        handle: async (events, { tx }) => effect(events, tx!),
      });
      expect(await restarted.catchUp()).toBe(30);
      const applied = await db!.query<{ applied: number; n: string }>(`SELECT applied, count(*)::text AS n FROM ${s}.effects GROUP BY applied`);
      expect(applied.rows).toEqual([{ applied: 1, n: '50' }]);
      expect(await restarted.catchUp()).toBe(0);
    });

    test('an after-handler consumer (outbox style) redelivers only the batch whose checkpoint was not stored', async () => {
      const store = await freshStore();
      await store.appendToStream('counter-o', Array.from({ length: 6 }, (_, j) => counted(j)));
      const seen: number[] = [];
      let fail = true;
      const consumer = () =>
        new GlobalLogConsumer(store, {
          consumerId: 'relay',
          delivery: 'after-handler',
          batchSize: 4,
          handle: async (events) => {
            seen.push(...events.map((e) => (e.data as { writer: number }).writer));
            if (events.length < 4 && fail) {
              fail = false;
              throw new Error('broker down before acknowledging');
            }
          },
        });
      await expect(consumer().catchUp()).rejects.toThrow('broker down');
      await consumer().catchUp();
      expect(seen).toEqual([0, 1, 2, 3, 4, 5, 4, 5]);
    });

    test('state at version n equals the fold of the first n events (time travel)', async () => {
      const store = await freshStore();
      await store.appendToStream('counter-t', [counted(1), counted(2), counted(3)]);
      const options = {
        initialState: () => 0,
        evolve: (sum: number, event: Counted) => sum + event.data.writer,
      };
      expect((await store.aggregateStream('counter-t', options)).state).toBe(6);
      expect((await store.aggregateStream('counter-t', { ...options, read: { to: 2n } })).state).toBe(3);
      expect((await store.aggregateStream('counter-t', { ...options, read: { to: 0n } })).state).toBe(0);
    });

    test('upcasts events stored in an old shape on every read, in chain order', async () => {
      const schema = uniqueSchema('es');
      schemas.push(schema);
      const v1Store = new PostgresEventStore(db!, { schema });
      await v1Store.migrate();
      await v1Store.appendToStream('price-1', [{ type: 'PriceSet', data: { price: '0.10' } }]);
      await v1Store.appendToStream('price-1', [{ type: 'PriceSet', data: { unitPrice: '0.20', currency: 'EUR' }, metadata: { schemaVersion: 2 } }]);
      const store = new PostgresEventStore(db!, {
        schema,
        upcasters: [
          { eventType: 'PriceSet', fromSchemaVersion: 1, upcast: ({ price }) => ({ data: { unitPrice: price } }) },
          { eventType: 'PriceSet', fromSchemaVersion: 2, upcast: (data) => ({ type: 'UnitPriceSet', data: { currency: 'USD', ...data } }) },
        ],
      });
      const read = await store.readStream('price-1');
      expect(read.events.map((e) => [e.type, e.data, e.metadata.schemaVersion])).toEqual([
        ['UnitPriceSet', { unitPrice: '0.10', currency: 'USD' }, 3],
        ['UnitPriceSet', { unitPrice: '0.20', currency: 'EUR' }, 3],
      ]);
      // The stored rows keep their original shape.
      expect((await v1Store.readStream('price-1')).events[0]!.data).toEqual({ price: '0.10' });
    });

    test('an event whose transaction commits late, with a lower global position, still reaches a consumer that already saw a higher one', async () => {
      if (!db!.supportsConcurrentTransactions) {
        console.warn(
          `late-commit case not applicable on ${backend}: it is a single session, so transactions never interleave and cannot commit out of order`,
        );
        return;
      }
      const store = await freshStore();
      const seen: bigint[] = [];
      const consumer = new GlobalLogConsumer(store, {
        consumerId: 'late',
        delivery: 'transactional',
        handle: async (events) => {
          seen.push(...events.map((e) => e.metadata.globalPosition));
        },
      });
      const gate = () => {
        let open!: () => void;
        const opened = new Promise<void>((resolve) => (open = resolve));
        return { open, opened };
      };
      const older = gate(); // lets the older transaction append and commit
      const late = gate(); // lets the late transaction commit
      const lateAppended = gate();
      const olderXid = gate();
      // T_old takes its transaction id first, but appends (higher position) and commits first.
      const tOld = db!.transaction(async (tx) => {
        await tx.query('SELECT pg_current_xact_id()');
        olderXid.open();
        await older.opened;
        await store.withTransaction(tx).appendToStream('counter-old', [counted(2)]);
      });
      await olderXid.opened;
      // T_late appends first (lower position), then stays open.
      const tLate = db!.transaction(async (tx) => {
        await store.withTransaction(tx).appendToStream('counter-late', [counted(1)]);
        lateAppended.open();
        await late.opened;
      });
      await lateAppended.opened;
      older.open();
      await tOld;

      await consumer.catchUp();
      expect(seen).toHaveLength(1);
      const higher = seen[0]!;

      late.open();
      await tLate;
      await consumer.catchUp();
      expect(seen).toHaveLength(2);
      expect(seen[1]!).toBeLessThan(higher);

      // Mirror case: the transaction that started first commits last. The consumer waits for it
      // rather than moving past it (pg_snapshot_xmin), then takes both in order.
      const first = gate();
      const firstAppended = gate();
      const tFirst = db!.transaction(async (tx) => {
        await store.withTransaction(tx).appendToStream('counter-first', [counted(3)]);
        firstAppended.open();
        await first.opened;
      });
      await firstAppended.opened;
      await store.appendToStream('counter-second', [counted(4)]);
      expect(await consumer.catchUp()).toBe(0);
      first.open();
      await tFirst;
      expect(await consumer.catchUp()).toBe(2);
      expect(seen).toHaveLength(4);
      expect(seen[2]!).toBeLessThan(seen[3]!);
    }, 20_000);
  });
}
