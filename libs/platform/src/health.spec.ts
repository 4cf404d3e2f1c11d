import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { migrate, PGliteExecutor } from '@billing/database';
import request from 'supertest';
import { databaseHealthCheck, HealthModule, HealthRegistry, type HealthReport } from './health.js';
import { createHttpApp } from './http-app.js';

describe('HealthRegistry', () => {
  it('is up with no indicators, and aggregates each module from its checks', async () => {
    const registry = new HealthRegistry();
    expect(await registry.check()).toEqual({ status: 'up', modules: {} });

    registry.register('identity', 'database', async () => ({ status: 'up', schema: 'identity' }));
    registry.register('billing', 'database', async () => ({ status: 'up' }));
    registry.register('billing', 'bus', async () => ({ status: 'down', error: 'broker unreachable' }));
    expect(await registry.check()).toEqual({
      status: 'down',
      modules: {
        identity: { status: 'up', checks: { database: { status: 'up', schema: 'identity' } } },
        billing: {
          status: 'down',
          checks: { database: { status: 'up' }, bus: { status: 'down', error: 'broker unreachable' } },
        },
      },
    });
  });

  it('counts a throwing or hanging check as down, with the reason', async () => {
    const registry = new HealthRegistry();
    registry.timeoutMs = 50;
    registry.register('a', 'throws', async () => {
      throw new Error('boom');
    });
    registry.register('a', 'hangs', () => new Promise(() => undefined));
    const report = await registry.check();
    expect(report.modules['a']?.checks).toEqual({
      throws: { status: 'down', error: 'boom' },
      hangs: { status: 'down', error: 'timed out after 50 ms' },
    });
  });

  it('refuses duplicate indicators and unregisters', async () => {
    const registry = new HealthRegistry();
    const unregister = registry.register('a', 'db', async () => ({ status: 'down' }));
    expect(() => registry.register('a', 'db', async () => ({ status: 'up' }))).toThrow(/already registered/);
    unregister();
    expect(registry.modules()).toEqual([]);
    expect((await registry.check()).status).toBe('up');
  });
});

/** Mimics a service module: imports HealthModule and registers a check whose result the test flips. */
const state = { customersUp: true };

@Module({ imports: [HealthModule] })
class CustomersLikeModule implements OnModuleInit {
  constructor(@Inject(HealthRegistry) private readonly health: HealthRegistry) {}
  onModuleInit(): void {
    this.health.register('customers', 'database', async () => (state.customersUp ? { status: 'up' } : { status: 'down', error: 'db gone' }));
  }
}

@Module({ imports: [HealthModule] })
class IdentityLikeModule implements OnModuleInit {
  constructor(@Inject(HealthRegistry) private readonly health: HealthRegistry) {}
  onModuleInit(): void {
    this.health.register('identity', 'database', async () => ({ status: 'up', schema: 'identity' }));
  }
}

@Module({ imports: [IdentityLikeModule, CustomersLikeModule] })
class RootModule {}

describe('GET /health (real HTTP)', () => {
  let app: NestExpressApplication;

  beforeAll(async () => {
    app = await createHttpApp(RootModule, { logLevel: false });
    await app.listen(0);
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers 200 with every module when all are up', async () => {
    state.customersUp = true;
    const response = await request(app.getHttpServer()).get('/health');
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toEqual({
      status: 'up',
      modules: {
        identity: { status: 'up', checks: { database: { status: 'up', schema: 'identity' } } },
        customers: { status: 'up', checks: { database: { status: 'up' } } },
      },
    } satisfies HealthReport);
  });

  it('answers 503 when any module is down', async () => {
    state.customersUp = false;
    const response = await request(app.getHttpServer()).get('/health');
    expect(response.status).toBe(503);
    const report = response.body as HealthReport;
    expect(report.status).toBe('down');
    expect(report.modules['customers']).toEqual({ status: 'down', checks: { database: { status: 'down', error: 'db gone' } } });
    expect(report.modules['identity']?.status).toBe('up');
  });
});

describe('databaseHealthCheck (PGlite)', () => {
  let db: PGliteExecutor;

  beforeAll(async () => {
    db = await PGliteExecutor.open();
  }, 60_000);

  afterAll(async () => {
    await db.close();
  });

  it('is down until the schema is migrated, then up with the migration count', async () => {
    const check = databaseHealthCheck(db, 'probe', { requiredMigrations: ['001_a', '002_b'] });
    expect(await check()).toEqual({ status: 'down', dialect: 'pglite', schema: 'probe', error: 'schema "probe" is not migrated' });

    await migrate(db, 'probe', [{ id: '001_a', sql: 'CREATE TABLE {schema}.a (id int)' }]);
    expect(await check()).toEqual({ status: 'down', dialect: 'pglite', schema: 'probe', error: 'schema "probe" misses migrations 002_b' });

    // Recorded by hand: this test is about the check, not about re-running migrate.
    await db.query(`INSERT INTO probe.schema_migrations (id) VALUES ('002_b')`);
    expect(await check()).toMatchObject({ status: 'up', dialect: 'pglite', schema: 'probe', migrations: 2 });
  });

  it('is down with the error once the database is closed', async () => {
    const closed = await PGliteExecutor.open();
    await migrate(closed, 'probe', [{ id: '001_a', sql: 'CREATE TABLE {schema}.a (id int)' }]);
    const check = databaseHealthCheck(closed, 'probe');
    expect((await check()).status).toBe('up');
    await closed.close();
    expect(await check()).toMatchObject({ status: 'down', schema: 'probe' });
  }, 60_000);
});
