import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openTestPostgres, quoteIdentifier, TEST_DATABASE_URL, uniqueSchema } from '@billing/database';
import { PostgresEventStore, STREAM_DOES_NOT_EXIST } from '@billing/event-store';
import { startKafkaMockCluster, type KafkaTestCluster } from '@billing/messaging/testing';
import { DEMO_PASSWORD } from '@billing/identity-service';
import { loadConfig, type HealthReport } from '@billing/platform';
import { embeddedEnvSchema } from './config.js';
import { DEMO_STAFF_PASSWORD, login } from './demo-data.js';
import { startEmbedded } from './embedded.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const services = ['identity', 'customers', 'billing', 'approvals'] as const;
const dataDirs: string[] = [];

function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'billing-embedded-'));
  dataDirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

async function health(url: string): Promise<{ status: number; body: HealthReport }> {
  const response = await fetch(`${url}/health`);
  return { status: response.status, body: (await response.json()) as HealthReport };
}

describe('startEmbedded (in-process)', () => {
  const dataDir = tempDataDir();

  it('serves /health for every service, each in its own schema, and accepts writes', async () => {
    const runtime = await startEmbedded({ PORT: 0, DATA_DIR: dataDir, LOG_LEVEL: 'error' });
    try {
      expect(runtime.url).toMatch(/^http:\/\/localhost:\d+$/);
      expect(runtime.port).toBeGreaterThan(0);
      const { status, body } = await health(runtime.url);
      expect(status).toBe(200);
      expect(body.status).toBe('up');
      expect(Object.keys(body.modules).sort()).toEqual([...services].sort());
      for (const service of services) {
        expect(body.modules[service]).toMatchObject({
          status: 'up',
          checks: { database: { status: 'up', dialect: 'pglite', schema: service, migrations: expect.any(Number) } },
        });
      }
      // One schema per service, each with its own event store tables.
      const tables = await runtime.db.query<{ schema: string }>(
        `SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'events' ORDER BY 1`,
      );
      expect(tables.rows.map((row) => row.schema)).toEqual([...services].sort());

      // A probe stream in a schema of its own: the services' streams belong to their domains.
      const store = new PostgresEventStore(runtime.db, { schema: 'probe' });
      await store.migrate();
      await store.appendToStream('probe-42', [{ type: 'ProbeWritten', data: { email: 'ada@example.com' } }], {
        expectedStreamVersion: STREAM_DOES_NOT_EXIST,
      });
    } finally {
      await runtime.close();
    }
    await expect(fetch(`${runtime.url}/health`)).rejects.toThrow();
    expect(existsSync(join(dataDir, 'pglite'))).toBe(true);
  }, 120_000);

  it('keeps the data across a restart on the same DATA_DIR', async () => {
    const runtime = await startEmbedded({ PORT: 0, DATA_DIR: dataDir, LOG_LEVEL: 'error' });
    try {
      expect((await health(runtime.url)).status).toBe(200);
      const store = new PostgresEventStore(runtime.db, { schema: 'probe' });
      const read = await store.readStream('probe-42');
      expect(read.currentStreamVersion).toBe(1n);
      expect(read.events.map((event) => [event.type, event.data])).toEqual([['ProbeWritten', { email: 'ada@example.com' }]]);
      // Nothing leaked into another service's schema.
      const billing = await runtime.db.query<{ n: number }>('SELECT count(*)::int AS n FROM billing.events');
      expect(billing.rows[0]?.n).toBe(0);
    } finally {
      await runtime.close();
    }
  }, 120_000);

  it('answers unknown API routes with a 404 problem', async () => {
    const runtime = await startEmbedded({ PORT: 0, DATABASE_URL: 'pglite://memory', LOG_LEVEL: 'error' });
    try {
      const response = await fetch(`${runtime.url}/api/no/such/route`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ status: 404, code: 'http.not_found' });
    } finally {
      await runtime.close();
    }
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------------
// The built entry points, run under plain node (no ts loader), as `npm start` and the images do.

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const build = spawnSync(process.execPath, [tsc, '-b', 'apps/embedded'], { cwd: root, encoding: 'utf8' });
const embeddedMain = join(root, 'apps', 'embedded', 'dist', 'main.js');
const built = existsSync(embeddedMain) && services.every((service) => existsSync(join(root, 'services', service, 'dist', 'main.js')));
if (!built) {
  console.warn(
    `SKIPPING built entry point tests: ${embeddedMain} (or a service's dist/main.js) is absent after \`npx tsc -b apps/embedded\`:\n${build.stdout}${build.stderr}`,
  );
}
const withBuild = built ? describe : describe.skip;

/** Environment for a child: this process' PATH and the like, without anything the test did not ask for. */
/** A TCP port free right now (the distributed PORT cannot be 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'], HOME: process.env['HOME'], ...extra };
}

withBuild('built entry points', () => {
  it('embedded main exits non-zero naming PORT when PORT is invalid', () => {
    const run = spawnSync(process.execPath, [embeddedMain], { env: childEnv({ PORT: 'abc', DATA_DIR: tempDataDir() }), encoding: 'utf8', timeout: 60_000 });
    expect(run.status).not.toBe(0);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Invalid configuration: PORT: expected an integer 1–65535');
    expect(run.stderr).toContain('"abc"');
  }, 60_000);

  it.each(services)('%s main exits 1 naming DATABASE_URL when it is missing', (service) => {
    const main = join(root, 'services', service, 'dist', 'main.js');
    const run = spawnSync(process.execPath, [main], { env: childEnv({ KAFKA_BROKERS: 'localhost:9092' }), encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Invalid configuration: DATABASE_URL: required, not set');
    expect(run.stderr).not.toContain('KAFKA_BROKERS');
  }, 60_000);

  it('embedded main prints its URL once ready and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [embeddedMain], {
      env: childEnv({ PORT: '0', DATA_DIR: tempDataDir(), LOG_LEVEL: 'warn' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /Billing platform \(embedded\) listening on (http:\/\/localhost:\d+)/.exec(stdout);
        if (match?.[1]) resolve(match[1]);
      });
      void exited.then((code) => reject(new Error(`exited with ${code} before listening:\n${stdout}\n${stderr}`)));
    });
    try {
      const { status, body } = await health(url);
      expect(status).toBe(200);
      expect(Object.keys(body.modules).sort()).toEqual([...services].sort());
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  }, 120_000);

  describe('service mains on PostgreSQL and Kafka (distributed topology)', () => {
    let kafka: KafkaTestCluster | string = 'not started';
    beforeAll(async () => {
      kafka = await startKafkaMockCluster();
    }, 30_000);
    afterAll(async () => {
      if (typeof kafka !== 'string') await kafka.stop();
    });

    it.each(services)('%s main serves /health from its schema and exits 0 on SIGTERM', async (service) => {
      if (typeof kafka === 'string') {
        console.warn(`SKIPPING ${service} main: ${kafka}`);
        return;
      }
      const probe = await openTestPostgres(1);
      if ('skipReason' in probe) {
        console.warn(`SKIPPING ${service} on PostgreSQL: ${probe.skipReason}`);
        return;
      }
      const schema = uniqueSchema(`${service}_e2e`);
      const port = await freePort();
      const child = spawn(process.execPath, [join(root, 'services', service, 'dist', 'main.js')], {
        env: childEnv({
          DATABASE_URL: TEST_DATABASE_URL,
          KAFKA_BROKERS: kafka.brokers.join(','),
          PORT: String(port),
          DB_SCHEMA: schema,
          LOG_LEVEL: 'warn',
          // Fetched lazily, on the first token to verify: /health needs none.
          ...(service === 'identity' ? {} : { AUTH_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json' }),
        }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      let exitCode: number | null | undefined;
      const exited = new Promise<number | null>((resolve) =>
        child.on('exit', (code) => {
          exitCode = code;
          resolve(code);
        }),
      );
      try {
        let report: { status: number; body: HealthReport } | undefined;
        for (let attempt = 0; attempt < 150 && exitCode === undefined && report === undefined; attempt++) {
          report = await health(`http://127.0.0.1:${port}`).catch(() => undefined);
          if (report === undefined) await new Promise((resolve) => setTimeout(resolve, 200));
        }
        expect({ exitCode, output, status: report?.status }).toEqual({ exitCode: undefined, output: '', status: 200 });
        expect(report?.body).toMatchObject({
          status: 'up',
          modules: { [service]: { status: 'up', checks: { database: { status: 'up', dialect: 'postgresql', schema, migrations: expect.any(Number) } } } },
        });
        expect(Object.keys(report?.body.modules ?? {})).toEqual([service]);
      } finally {
        child.kill('SIGTERM');
        await exited;
        await probe.db.exec(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
        await probe.db.close();
      }
      expect(exitCode).toBe(0);
    }, 60_000);
  });
});

describe('demo mode', () => {
  it('creates the demo users and imports the BillProcess dataset once, through the public API', async () => {
    const dataDir = tempDataDir();
    const runtime = await startEmbedded({ PORT: 0, DATA_DIR: dataDir, LOG_LEVEL: 'error', DEMO_MODE: true });
    try {
      const token = await login(runtime.url, 'demo-finance', DEMO_PASSWORD);
      const get = async (path: string) => (await fetch(`${runtime.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<{ total: number; items: { name?: string; status?: string }[] }>;
      expect((await get('/api/customers?limit=50')).total).toBe(10);
      const usage = (await get('/api/usage?limit=500')) as unknown as { total: number };
      expect(usage.total).toBe(48);
      const bills = await get('/api/bills');
      expect(bills.total).toBe(1);
      expect(bills.items[0]?.status).toBe('sent');
      // The imported staff can log in with the demo password (demo mode only).
      await expect(login(runtime.url, 'User3', DEMO_STAFF_PASSWORD)).resolves.toMatch(/^ey/);
    } finally {
      await runtime.close();
    }
    const again = await startEmbedded({ PORT: 0, DATA_DIR: dataDir, LOG_LEVEL: 'error', DEMO_MODE: true });
    try {
      const token = await login(again.url, 'demo-finance', DEMO_PASSWORD);
      const customers = (await (await fetch(`${again.url}/api/customers`, { headers: { authorization: `Bearer ${token}` } })).json()) as { total: number };
      expect(customers.total).toBe(10);
    } finally {
      await again.close();
    }
  }, 180_000);

  it('is refused in production', () => {
    expect(() => loadConfig(embeddedEnvSchema, { NODE_ENV: 'production' })).toThrow('DEMO_MODE: demo mode (users with a published password) is refused when NODE_ENV=production');
    expect(loadConfig(embeddedEnvSchema, { NODE_ENV: 'production', DEMO_MODE: 'false' }).DEMO_MODE).toBe(false);
  });
});
