import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { handleOnce, IdempotentConsumer, migrateProcessedMessages } from './idempotent-consumer.js';
import { openPostgresTestDatabase, type TestDatabase } from './testing/test-database.js';
import { waitUntil } from './testing/wait.js';

// PGlite runs handleOnce in the MemoryBus contract and the BusTransport test; this file covers
// PostgreSQL, where deliveries can race on separate connections.
const postgres = await openPostgresTestDatabase('msg_idem');

if (typeof postgres === 'string') {
  console.log(`handleOnce PostgreSQL suite skipped: ${postgres}`);
  describe.skip('handleOnce on PostgreSQL', () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  describe(`handleOnce on ${postgres.description}`, () => {
    const database: TestDatabase = postgres;
    const { db, schema } = database;
    const effects = async (eventId: string) =>
      Number((await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${schema}".effects WHERE event_id = $1`, [eventId])).rows[0]?.n);
    const insertEffect = (eventId: string) => async (tx: { query: typeof db.query }) => {
      await tx.query(`INSERT INTO "${schema}".effects (event_id) VALUES ($1)`, [eventId]);
    };

    beforeAll(async () => {
      expect(await migrateProcessedMessages(db, schema)).toEqual(['messaging_001_processed_messages']);
      expect(await migrateProcessedMessages(db, schema)).toEqual([]);
      await db.exec(`CREATE TABLE "${schema}".effects (event_id text NOT NULL)`);
    });

    afterAll(() => database.close());

    it('runs the effect once and reports later deliveries as duplicates', async () => {
      const key = { schema, groupId: 'billing', eventId: 'evt-a' };
      expect(await handleOnce(db, key, insertEffect('evt-a'))).toBe('processed');
      expect(await handleOnce(db, key, insertEffect('evt-a'))).toBe('duplicate');
      expect(await effects('evt-a')).toBe(1);
    });

    it('deduplicates per consumer group', async () => {
      const consumer = new IdempotentConsumer(db, { schema, groupId: 'payments' });
      await handleOnce(db, { schema, groupId: 'billing', eventId: 'evt-b' }, insertEffect('evt-b'));
      expect(await consumer.handle('evt-b', insertEffect('evt-b'))).toBe('processed');
      expect(await consumer.handle('evt-b', insertEffect('evt-b'))).toBe('duplicate');
      expect(await effects('evt-b')).toBe(2);
    });

    it('records nothing when the effect fails, so a redelivery runs it again', async () => {
      const key = { schema, groupId: 'billing', eventId: 'evt-c' };
      await expect(
        handleOnce(db, key, async (tx) => {
          await insertEffect('evt-c')(tx);
          throw new Error('downstream refused');
        }),
      ).rejects.toThrow('downstream refused');
      expect(await effects('evt-c')).toBe(0);
      expect(await handleOnce(db, key, insertEffect('evt-c'))).toBe('processed');
      expect(await effects('evt-c')).toBe(1);
    });

    it('lets exactly one of two racing deliveries run the effect', async () => {
      const key = { schema, groupId: 'billing', eventId: 'evt-d' };
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const first = handleOnce(db, key, async (tx) => {
        await insertEffect('evt-d')(tx);
        await held; // keep the first transaction open while the second one arrives
      });
      const second = handleOnce(db, key, insertEffect('evt-d'));
      await waitUntil('one delivery waits for the other’s lock on the dedup row', async () => {
        const waiting = await db.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`,
          [`INSERT INTO "${schema}".processed_messages%`],
        );
        return waiting.rows[0]?.n === '1';
      });
      release();
      expect((await Promise.all([first, second])).sort()).toEqual(['duplicate', 'processed']);
      expect(await effects('evt-d')).toBe(1);
    });

    it('rejects an invalid schema or an empty event id', async () => {
      await expect(handleOnce(db, { schema: 'Bad-Schema', groupId: 'g', eventId: 'e' }, async () => undefined)).rejects.toThrow(/identifier/);
      await expect(handleOnce(db, { schema, groupId: 'g', eventId: '' }, async () => undefined)).rejects.toThrow(/empty event id/);
      expect(() => new IdempotentConsumer(db, { schema: 'drop table', groupId: 'g' })).toThrow(/identifier/);
    });
  });
}
