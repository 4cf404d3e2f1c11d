/**
 * `npm run bench:ingest -w @billing/customers-service` — usage ingestion throughput through HTTP,
 * with deduplication, on real PostgreSQL (not a test).
 *
 * 1. Starts the customers service with `startServices` on PostgreSQL (`TEST_DATABASE_URL`, else
 *    `DATABASE_URL`, default postgres://postgres@127.0.0.1:5432/test) in a fresh schema, and a MemoryBus.
 * 2. Seeds `BENCH_CUSTOMERS` customers (default 200) through the import endpoint.
 * 3. Posts `BENCH_EVENTS` events (default 300,000) as batches of 100 (10 customers × 10 events each)
 *    over 10 concurrent keep-alive connections, from a worker thread (its own event loop), and
 *    measures events/s and the p50/p99 acknowledgement latency of the requests.
 * 4. Measures, in the same run and database, the raw baseline: the same rows as multi-row INSERTs
 *    (`INSERT … SELECT FROM unnest(…)`, 100 rows each, 10 concurrent connections) straight into a
 *    table shaped like the dedup table, and prints the ratio.
 * 5. Checks that the totals equal the events sent, and drops the schema.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { PgExecutor, quoteIdentifier, uniqueSchema } from '@billing/database';
import { UsageService } from '../usage/usage.service.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 300_000);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 200);
const BATCH = 100;
const CONNECTIONS = 10;
const PER_CUSTOMER = 10;
const URL_DB = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface LoadInput {
  url: string;
  token: string;
  run: string;
  batches: number;
  customers: number;
  timestamp: string;
}
interface LoadOutput {
  seconds: number;
  latenciesMs: number[];
  accepted: number;
  failures: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The body of batch `b`: 10 customers × 10 events, ids unique per run. */
function batchBody(input: LoadInput, b: number): string {
  const events = [];
  for (let c = 0; c < BATCH / PER_CUSTOMER; c++) {
    const customer = `BenchCustomer${(b * (BATCH / PER_CUSTOMER) + c) % input.customers}`;
    for (let e = 0; e < PER_CUSTOMER; e++) events.push({ eventId: `${input.run}-${b}-${c}-${e}`, externalKey: customer, timestamp: input.timestamp, quantity: 1 });
  }
  return JSON.stringify({ events });
}

/** Worker: posts every batch over CONNECTIONS keep-alive connections. */
async function load(input: LoadInput): Promise<LoadOutput> {
  const bodies = Array.from({ length: input.batches }, (_, b) => Buffer.from(batchBody(input, b)));
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const target = new URL('/api/usage/events', input.url);
  const latencies: number[] = [];
  let next = 0;
  let accepted = 0;
  let failures = 0;
  const post = (body: Buffer) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${input.token}` } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      for (let b = next++; b < bodies.length; b = next++) {
        const t0 = process.hrtime.bigint();
        const response = await post(bodies[b]!);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (response.status !== 200) failures++;
        else accepted += (JSON.parse(response.text) as { accepted: number }).accepted;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  return { seconds, latenciesMs: latencies, accepted, failures };
}

/** Raw baseline: the same number of rows, 100 per multi-row INSERT, CONNECTIONS at a time. */
async function baseline(db: PgExecutor, schema: string, run: string, batches: number): Promise<number> {
  const table = `${quoteIdentifier(schema)}.raw_usage_events`;
  await db.exec(
    `CREATE TABLE ${table} (event_id text PRIMARY KEY, customer_id uuid NOT NULL, period text NOT NULL, quantity bigint NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`,
  );
  const customerIds = Array.from({ length: CUSTOMERS }, () => randomUUID());
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      for (let b = next++; b < batches; b = next++) {
        const ids: string[] = [];
        const customers: string[] = [];
        for (let i = 0; i < BATCH; i++) {
          ids.push(`${run}-raw-${b}-${i}`);
          customers.push(customerIds[(b * 10 + Math.floor(i / PER_CUSTOMER)) % CUSTOMERS]!);
        }
        await db.query(
          `INSERT INTO ${table} (event_id, customer_id, period, quantity) SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::int8[]) ON CONFLICT DO NOTHING`,
          [ids, customers, ids.map(() => '2026-11'), ids.map(() => 1)],
        );
      }
    }),
  );
  return (batches * BATCH) / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function main(): Promise<void> {
  const { startHarness } = await import('../testing/harness.js');
  const db = new PgExecutor({ connectionString: URL_DB, maxConnections: 20, applicationName: 'customers-bench' });
  await db.query('SELECT 1');
  const schema = uniqueSchema('bench_customers');
  const harness = await startHarness(db, schema, {}, { observe: false });
  try {
    await harness.registerUser({ userId: randomUUID(), name: 'BenchCsm', role: 'CustomerSuccess' });
    const csv = [
      'name,billing_address,billing_email,monthly_api_limit,overage_unit_cost,currency,start_date,end_date,require_csm_approval,csm',
      ...Array.from({ length: CUSTOMERS }, (_, i) => `BenchCustomer${i},${i} Bench Road,ap@bench${i}.test,1000000,0.0015,USD,2020-01-01,,false,BenchCsm`),
    ].join('\n');
    const seeded = await harness.call('Admin', 'POST', '/api/customers/import', csv);
    if (seeded.body?.created !== CUSTOMERS) throw new Error(`seeding failed: ${JSON.stringify(seeded.body)}`);
    const token = await harness.tokens.issue('Admin', { userId: 'bench-client', name: 'Bench client' });
    const batches = Math.ceil(EVENTS / BATCH);
    const run = randomUUID().slice(0, 8);
    const now = new Date().toISOString();

    // Warm-up (JIT, connections): 2,000 events not counted.
    await runWorker({ url: harness.url, token, run: `${run}-warm`, batches: 20, customers: CUSTOMERS, timestamp: now });
    // BENCH_PROFILE=<file>: CPU profile of the server's main thread during the measured load.
    const profiler = process.env.BENCH_PROFILE ? new Session() : undefined;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    const usage = harness.app.get(UsageService);
    const stats0 = { ...usage.writeStats };
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = process.cpuUsage();
    const result = await runWorker({ url: harness.url, token, run, batches, customers: CUSTOMERS, timestamp: now });
    const elu = performance.eventLoopUtilization(elu0);
    const cpu = process.cpuUsage(cpu0);
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(profile));
      profiler.disconnect();
    }
    const raw = await baseline(db, schema, run, batches);

    const sorted = [...result.latenciesMs].sort((a, b) => a - b);
    const rate = result.accepted / result.seconds;
    const totals = await db.query<{ n: string }>(`SELECT coalesce(sum(api_calls), 0)::text AS n FROM ${quoteIdentifier(schema)}.usage_totals`);
    console.log(`customers usage ingestion benchmark (PostgreSQL at ${URL_DB.replace(/\/\/[^@/]*@/, '//')}, ${CUSTOMERS} customers)`);
    console.log(`  events sent        ${(batches * BATCH).toLocaleString('en')} in ${batches.toLocaleString('en')} requests of ${BATCH}, ${CONNECTIONS} keep-alive connections`);
    console.log(`  accepted           ${result.accepted.toLocaleString('en')} (failed requests: ${result.failures})`);
    console.log(`  throughput         ${Math.round(rate).toLocaleString('en')} events/s (${result.seconds.toFixed(2)} s)`);
    console.log(`  ack latency        p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`);
    console.log(`  server main thread ${(elu.utilization * 100).toFixed(0)} % busy (event-loop utilisation); process CPU ${((cpu.user + cpu.system) / 1000 / batches).toFixed(2)} ms per request (server + load worker)`);
    console.log(`  group commit       ${usage.writeStats.batches - stats0.batches} requests in ${usage.writeStats.transactions - stats0.transactions} transactions`);
    console.log(`  raw baseline       ${Math.round(raw).toLocaleString('en')} events/s (multi-row INSERT of 100 rows, ${CONNECTIONS} connections)`);
    console.log(`  ratio              ${(rate / raw).toFixed(2)} of the raw baseline`);
    console.log(`  totals check       ${totals.rows[0]!.n} API calls in usage_totals (expected ${(batches * BATCH + 2_000).toLocaleString('en')} incl. warm-up)`);
    console.log(`  target             ≥ 20,000 events/s with p99 < 100 ms: ${rate >= 20_000 && percentile(sorted, 99) < 100 ? 'MET' : 'MISSED'}`);
  } finally {
    await harness.close();
    await db.exec(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
    await db.close();
  }
}

function runWorker(input: LoadInput): Promise<LoadOutput> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: input });
    worker.once('message', (output: LoadOutput) => resolve(output));
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`load worker exited with ${code}`)));
  });
}

if (isMainThread) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
} else {
  load(workerData as LoadInput).then((output) => parentPort!.postMessage(output));
}
