/**
 * Billing benchmark (not a test): `npm run bench:billing -w @billing/billing-service` (builds, then runs
 * on PostgreSQL at `TEST_DATABASE_URL` / `DATABASE_URL`, in a fresh schema dropped at the end).
 * 1. A month-end bill run over 100,000 customers (read models seeded directly; 80 % over their limit):
 *    target ≤ 60 s. Baseline: plain multi-row INSERTs of the same bill rows into a bare table.
 * 2. Replay of ≥ 1,000,000 bill events into the read models: target ≥ 50,000 events/s. Baseline: a raw
 *    keyset scan of the same events plus plain INSERTs of the resulting rows.
 * Each figure is printed beside its baseline, with the ratio (baseline time ÷ measured time).
 */
import 'reflect-metadata';
import { migrate, PgExecutor, quoteIdentifier, uniqueSchema } from '@billing/database';
import { PostgresEventStore } from '@billing/event-store';
import type { ServiceContext } from '@billing/service-kit';
import { BillRunService } from '../bill-run/bill-run.service.js';
import { billingMigrations } from '../read-models/read-models.js';
import { replayReadModels } from '../read-models/replay.js';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const EXTRA_BILLS = Number(process.env.BENCH_EXTRA_BILLS ?? 190_000); // × 5 events, plus the run's bills
const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const db = new PgExecutor({ connectionString: url, maxConnections: 4, applicationName: 'billing-bench' });
const schema = uniqueSchema('billing_bench');
const s = quoteIdentifier(schema);
const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

try {
  const store = new PostgresEventStore(db, { schema });
  await store.migrate();
  await migrate(db, schema, billingMigrations);
  const context = { db, schema, store, bus: undefined, name: 'billing', relay: undefined, notifyOutbox: () => undefined } as unknown as ServiceContext;

  console.log(`billing benchmark on PostgreSQL, schema ${schema}`);
  // Seed the read models: customers c0000001…, contract from 2023-01 (grace 3 months), usage 2024-06.
  await db.query(
    `INSERT INTO ${s}.customers (customer_id, name, csm_user_id, registered_at)
     SELECT 'c' || lpad(i::text, 7, '0'), 'Customer ' || i, 'csm-' || (i % 50), '2023-01-01T00:00:00.000Z' FROM generate_series(1, $1::int) i`,
    [CUSTOMERS],
  );
  await db.query(
    `INSERT INTO ${s}.customer_terms (customer_id, effective_from, terms)
     SELECT customer_id, '2023-01-01', jsonb_build_object('monthlyApiLimit', '100000', 'overageUnitPrice', '0.0015', 'currency', 'USD',
            'startDate', '2023-01-01', 'endDate', null, 'requireCsmApproval', false, 'overageGraceMonths', 3, 'effectiveFrom', '2023-01-01')
       FROM ${s}.customers`,
  );
  await db.query(
    `INSERT INTO ${s}.usage_totals (customer_id, period, api_calls, previous_api_calls, corrected, closed_at)
     SELECT customer_id, '2024-06', CASE WHEN right(customer_id, 1) IN ('0', '5') THEN 50000 ELSE 100000 + (hashtext(customer_id) & 65535) * 7 + 700 END,
            null, false, '2024-07-01T00:00:00.000Z'
       FROM ${s}.customers`,
  );

  await db.exec(`ANALYZE ${s}.customers; ANALYZE ${s}.customer_terms; ANALYZE ${s}.usage_totals`);

  // 1. Bill run.
  const runs = new BillRunService(context);
  const t1 = process.hrtime.bigint();
  const { run } = await runs.start('2024-06', { userId: 'bench', role: 'Finance', name: 'Bench' }, '2024-07-02T00:00:00.000Z');
  await runs.settled('2024-06');
  const runSeconds = seconds(t1);
  const done = (await runs.get(run.runId))!;
  // Baseline: the same bill rows, plain INSERTs of 1,000 rows per statement into a bare table.
  const rows = (await db.query<{ row: Record<string, unknown> }>(`SELECT to_jsonb(b) AS row FROM ${s}.bills b ORDER BY bill_id`)).rows.map((r) => r.row);
  await db.query(`CREATE TABLE ${s}.baseline_bills (LIKE ${s}.bills)`);
  const t2 = process.hrtime.bigint();
  for (let i = 0; i < rows.length; i += 1000) {
    await db.query(`INSERT INTO ${s}.baseline_bills SELECT * FROM jsonb_populate_recordset(null::${s}.baseline_bills, $1::jsonb)`, [JSON.stringify(rows.slice(i, i + 1000))]);
  }
  const baseSeconds = seconds(t2);
  console.log(
    `bill run, ${fmt(CUSTOMERS)} customers (${fmt(done.drafted)} drafted, skipped ${JSON.stringify(done.skipped)}): ${runSeconds.toFixed(1)} s (target ≤ 60 s)` +
      ` | baseline plain INSERT of the ${fmt(rows.length)} bill rows: ${baseSeconds.toFixed(1)} s | ratio ${(baseSeconds / runSeconds).toFixed(2)}`,
  );

  // 2. Replay: add EXTRA_BILLS bills of 5 events each (drafted, submitted, approved, sent, commented).
  await db.query(
    `INSERT INTO ${s}.streams (stream_id, stream_type, version)
     SELECT 'bill-x' || lpad(i::text, 7, '0') || '-2024-05', 'bill', 5 FROM generate_series(1, $1::int) i`,
    [EXTRA_BILLS],
  );
  await db.query(
    `INSERT INTO ${s}.events (stream_id, stream_version, event_id, event_type, data, metadata)
     SELECT 'bill-' || b.id, v.n, gen_random_uuid(), v.type,
            jsonb_build_object('billId', b.id, 'actionId', b.id || '.' || v.n, 'at', '2024-06-02T10:00:00.000Z',
              'actor', jsonb_build_object('userId', 'u1', 'role', 'Finance', 'name', 'Fiona'), 'comment', '') ||
            CASE WHEN v.n = 1 THEN jsonb_build_object('customerId', 'x' || lpad(i::text, 7, '0'), 'period', '2024-05', 'usageApiCalls', '320000',
              'includedApiCalls', '100000', 'overageUnits', '220000', 'unitPrice', '0.01', 'currency', 'USD', 'amountMinor', '220000', 'terms', null)
                 WHEN v.n = 2 THEN jsonb_build_object('customerId', 'x' || lpad(i::text, 7, '0'), 'period', '2024-05', 'amountMinor', '220000', 'currency', 'USD',
              'overageUnits', '220000', 'includedApiCalls', '100000', 'draftedByUserId', 'u1')
                 WHEN v.n = 3 THEN jsonb_build_object('processId', 'p')
                 ELSE '{}'::jsonb END,
            '{}'::jsonb
       FROM (SELECT i, 'x' || lpad(i::text, 7, '0') || '-2024-05' AS id FROM generate_series(1, $1::int) i) b
      CROSS JOIN (VALUES (1, 'BillDrafted'), (2, 'BillSubmitted'), (3, 'BillApproved'), (4, 'BillSent'), (5, 'BillCommented')) AS v(n, type)
      ORDER BY b.id, v.n`,
    [EXTRA_BILLS],
  );
  await db.query(`ANALYZE ${s}.events`);
  const t3 = process.hrtime.bigint();
  const replayed = await replayReadModels(db, schema);
  const replaySeconds = seconds(t3);
  // Baseline: the same keyset scan, then plain INSERTs of one row per stream, no folding.
  await db.query(`CREATE TABLE ${s}.baseline_replay (stream_id text PRIMARY KEY, version bigint, last_type text)`);
  const t4 = process.hrtime.bigint();
  let after: [string, string] = ['', '0'];
  let scanned = 0;
  const last = new Map<string, { version: string; type: string }>();
  for (;;) {
    const page = await db.query<{ stream_id: string; stream_version: string; event_type: string; data: unknown }>(
      `SELECT stream_id, stream_version::text AS stream_version, event_type, data FROM ${s}.events
        WHERE (stream_id, stream_version) > ($1, $2::bigint) ORDER BY stream_id, stream_version LIMIT 20000`,
      after,
    );
    for (const row of page.rows) last.set(row.stream_id, { version: row.stream_version, type: row.event_type });
    scanned += page.rows.length;
    if (page.rows.length < 20000) break;
    after = [page.rows.at(-1)!.stream_id, page.rows.at(-1)!.stream_version];
    if (last.size >= 5000) {
      await db.query(`INSERT INTO ${s}.baseline_replay SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(stream_id text, version bigint, last_type text) ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version, last_type = EXCLUDED.last_type`, [
        JSON.stringify([...last].map(([stream_id, v]) => ({ stream_id, version: v.version, last_type: v.type }))),
      ]);
      last.clear();
    }
  }
  await db.query(`INSERT INTO ${s}.baseline_replay SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(stream_id text, version bigint, last_type text) ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version, last_type = EXCLUDED.last_type`, [
    JSON.stringify([...last].map(([stream_id, v]) => ({ stream_id, version: v.version, last_type: v.type }))),
  ]);
  const baseReplaySeconds = seconds(t4);
  const rate = replayed.events / replaySeconds;
  const baseRate = scanned / baseReplaySeconds;
  console.log(
    `replay, ${fmt(replayed.events)} events / ${fmt(replayed.streams)} streams into the read models: ${fmt(rate)} events/s in ${replaySeconds.toFixed(1)} s (target ≥ 50,000/s)` +
      ` | baseline raw scan + plain INSERT: ${fmt(baseRate)} events/s | ratio ${(rate / baseRate).toFixed(2)}`,
  );
} finally {
  await db.exec(`DROP SCHEMA IF EXISTS ${s} CASCADE`).catch(() => undefined);
  await db.close();
}
