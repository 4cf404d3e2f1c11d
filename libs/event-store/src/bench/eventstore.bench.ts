/**
 * `npm run bench:eventstore` — event store throughput on PostgreSQL and on PGlite, each figure beside
 * a raw baseline measured in the same run on the same database:
 * - single-event appends with expected-version checks vs. single-row INSERTs;
 * - 100-event batch appends vs. 100-row multi-row INSERTs;
 * - catch-up read of the global log by a checkpointed consumer vs. a keyset-paginated sequential
 *   SELECT of the same rows.
 *
 * Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_EVENTS (events
 * in the catch-up log, default 1,000,000), BENCH_BACKENDS (`postgresql,pglite`).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgExecutor, PGliteExecutor, TEST_DATABASE_URL, quoteIdentifier, uniqueSchema, type SqlExecutor } from '@billing/database';
import { PostgresEventStore } from '../postgres-event-store.js';
import { GlobalLogConsumer } from '../consumer.js';

const LOG_EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const SINGLE_APPENDS = 2_000;
const BATCHES = 200;
const BATCH_SIZE = 100;
const FILL_BATCH = 1_000;
const READ_BATCH = 5_000;

interface Row {
  backend: string;
  case: string;
  store: number;
  raw: number;
}

const payload = (i: number) => ({ customerId: `c-${i % 1000}`, period: '2017-10', apiCalls: 1000 + i, unitPrice: '0.0015' });

async function timed(work: () => Promise<number>): Promise<number> {
  const start = process.hrtime.bigint();
  const count = await work();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return count / seconds;
}

async function createRawTable(db: SqlExecutor, schema: string): Promise<string> {
  const table = `${quoteIdentifier(schema)}.raw_events`;
  await db.exec(`CREATE TABLE ${table} (
    id bigserial PRIMARY KEY, stream_id text NOT NULL, stream_version bigint NOT NULL, event_id uuid NOT NULL,
    event_type text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())`);
  return table;
}

function rawInsert(table: string, rows: number): string {
  const values = Array.from({ length: rows }, (_, r) => {
    const b = r * 5;
    return `($${b + 1}, $${b + 2}, $${b + 3}, 'UsageRecorded', $${b + 4}::jsonb, $${b + 5}::jsonb)`;
  });
  return `INSERT INTO ${table} (stream_id, stream_version, event_id, event_type, data, metadata) VALUES ${values.join(', ')}`;
}

function rawParams(start: number, rows: number, stream: (i: number) => string): unknown[] {
  const params: unknown[] = [];
  for (let i = start; i < start + rows; i++) {
    params.push(stream(i), i, randomUUID(), JSON.stringify(payload(i)), '{}');
  }
  return params;
}

async function benchBackend(backend: string, db: SqlExecutor): Promise<Row[]> {
  const schema = uniqueSchema('bench');
  const store = new PostgresEventStore(db, { schema });
  await store.migrate();
  const raw = await createRawTable(db, schema);
  const rows: Row[] = [];
  const progress = (label: string) => process.stderr.write(`  ${backend}: ${label}\n`);

  progress(`${SINGLE_APPENDS} single-event appends`);
  const versions = new Map<string, bigint>();
  const singleStore = await timed(async () => {
    for (let i = 0; i < SINGLE_APPENDS; i++) {
      const stream = `usage-s${i % 100}`;
      const result = await store.appendToStream(stream, [{ type: 'UsageRecorded', data: payload(i) }], {
        expectedStreamVersion: versions.get(stream) ?? 0n,
      });
      versions.set(stream, result.nextExpectedStreamVersion);
    }
    return SINGLE_APPENDS;
  });
  const singleRaw = await timed(async () => {
    for (let i = 0; i < SINGLE_APPENDS; i++) await db.query(rawInsert(raw, 1), rawParams(i, 1, (n) => `usage-s${n % 100}`));
    return SINGLE_APPENDS;
  });
  rows.push({ backend, case: 'append, 1 event (events/s)', store: singleStore, raw: singleRaw });

  progress(`${BATCHES} appends of ${BATCH_SIZE} events`);
  const batchStore = await timed(async () => {
    for (let b = 0; b < BATCHES; b++) {
      await store.appendToStream(
        `usage-b${b}`,
        Array.from({ length: BATCH_SIZE }, (_, i) => ({ type: 'UsageRecorded', data: payload(b * BATCH_SIZE + i) })),
        { expectedStreamVersion: 0n },
      );
    }
    return BATCHES * BATCH_SIZE;
  });
  const batchRaw = await timed(async () => {
    for (let b = 0; b < BATCHES; b++) await db.query(rawInsert(raw, BATCH_SIZE), rawParams(b * BATCH_SIZE, BATCH_SIZE, () => `usage-b${b}`));
    return BATCHES * BATCH_SIZE;
  });
  rows.push({ backend, case: `append, ${BATCH_SIZE}-event batch (events/s)`, store: batchStore, raw: batchRaw });

  const existing = SINGLE_APPENDS + BATCHES * BATCH_SIZE;
  const toFill = Math.max(0, LOG_EVENTS - existing);
  progress(`filling the log to ${LOG_EVENTS.toLocaleString('en-US')} events (store and raw table)`);
  for (let done = 0; done < toFill; done += FILL_BATCH) {
    const n = Math.min(FILL_BATCH, toFill - done);
    const stream = `usage-f${done / FILL_BATCH}`;
    await store.appendToStream(stream, Array.from({ length: n }, (_, i) => ({ type: 'UsageRecorded', data: payload(done + i) })));
    for (let chunk = 0; chunk < n; chunk += 500) {
      const m = Math.min(500, n - chunk);
      await db.query(rawInsert(raw, m), rawParams(done + chunk, m, () => stream));
    }
    if ((done / FILL_BATCH) % 100 === 0) progress(`  ${(existing + done).toLocaleString('en-US')} events`);
  }
  await db.exec(`ANALYZE ${quoteIdentifier(schema)}.events; ANALYZE ${raw}`);

  progress('catch-up read of the global log');
  const consumer = new GlobalLogConsumer(store, {
    consumerId: 'bench-reader',
    delivery: 'after-handler',
    batchSize: READ_BATCH,
    handle: async () => undefined,
  });
  const readStore = await timed(() => consumer.catchUp());
  const readRaw = await timed(async () => {
    let last = '0';
    let total = 0;
    for (;;) {
      const page = await db.query<{ id: string }>(
        `SELECT id::text AS id, stream_id, stream_version, event_id, event_type, data, metadata, recorded_at
           FROM ${raw} r WHERE r.id > $1::bigint ORDER BY r.id LIMIT ${READ_BATCH}`,
        [last],
      );
      if (page.rows.length === 0) return total;
      total += page.rows.length;
      last = page.rows.at(-1)!.id;
    }
  });
  rows.push({ backend, case: `catch-up read, ${LOG_EVENTS.toLocaleString('en-US')} events (events/s)`, store: readStore, raw: readRaw });

  await db.exec(`DROP SCHEMA ${quoteIdentifier(schema)} CASCADE`);
  return rows;
}

function format(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function main(): Promise<void> {
  const backends = (process.env.BENCH_BACKENDS ?? 'postgresql,pglite').split(',');
  const rows: Row[] = [];
  if (backends.includes('postgresql')) {
    const db = new PgExecutor({ connectionString: TEST_DATABASE_URL, maxConnections: 4 });
    try {
      rows.push(...(await benchBackend('PostgreSQL', db)));
    } finally {
      await db.close();
    }
  }
  if (backends.includes('pglite')) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-pglite-'));
    const db = await PGliteExecutor.open(dir);
    try {
      rows.push(...(await benchBackend('PGlite', db)));
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log('\n| backend | case | event store | raw SQL baseline | ratio |');
  console.log('|---|---|---:|---:|---:|');
  for (const row of rows) {
    console.log(`| ${row.backend} | ${row.case} | ${format(row.store)} | ${format(row.raw)} | ${(row.store / row.raw).toFixed(2)} |`);
  }
}

await main();
