import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Body, Controller, Get, Inject, Module, Post, type DynamicModule } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import { createTestTokens, type TestTokens } from '@billing/auth/testing';
import { Roles } from '@billing/auth';
import type { DecodedIntegrationEvent } from '@billing/contracts';
import { PGliteExecutor, type SqlExecutor } from '@billing/database';
import { STREAM_DOES_NOT_EXIST } from '@billing/event-store';
import { MemoryBus, type BusContext } from '@billing/messaging';
import { waitUntil } from '@billing/messaging/testing';
import { Public, type HealthReport, type ServiceModuleOptions } from '@billing/platform';
import { OnIntegrationEvent } from './transport.js';
import { integrationMessage } from './integration-events.js';
import { SERVICE_CONTEXT, ServiceCoreModule, type ServiceContext } from './service-core.module.js';
import { type ServiceDefinition } from './composition.js';
import { startTestServices } from './testing.js';
import { mergeOpenApi } from './openapi.js';
import type { OpenAPIObject } from '@nestjs/swagger';

// A toy "alpha" service registers users (domain event → identity.v1.UserRegistered on the bus) …
@Controller('alpha/users')
class AlphaController {
  constructor(@Inject(SERVICE_CONTEXT) private readonly service: ServiceContext) {}

  @Public()
  @Post()
  async register(@Body() body: { name: string }): Promise<{ userId: string }> {
    const userId = randomUUID();
    await this.service.store.appendToStream(`user-${userId}`, [{ type: 'Registered', data: { userId, name: body.name } }], {
      expectedStreamVersion: STREAM_DOES_NOT_EXIST,
    });
    this.service.notifyOutbox();
    return { userId };
  }

  @Get('forgotten')
  forgotten(): string {
    return 'no rule';
  }
}

@Module({})
class AlphaModule {
  static register(options: ServiceModuleOptions): DynamicModule {
    return {
      module: AlphaModule,
      controllers: [AlphaController],
      imports: [
        ServiceCoreModule.forService({
          ...options,
          name: 'alpha',
          outbox: (event) => {
            const data = event.data as { userId: string; name: string };
            return integrationMessage(event, 'identity.v1.UserRegistered', { userId: data.userId, name: data.name, role: 'Sales', active: true });
          },
        }),
      ],
    };
  }
}

// … and a toy "beta" service keeps a read model of them, and fails once on purpose for "flaky" names.
let flakyFailures = 0;

@Controller('beta/users')
class BetaController {
  constructor(@Inject(SERVICE_CONTEXT) private readonly service: ServiceContext) {}

  @Roles('Finance')
  @Get()
  async list(): Promise<string[]> {
    const rows = await this.service.db.query<{ name: string }>(`SELECT name FROM ${this.service.schema}.known_users ORDER BY name`);
    return rows.rows.map((row) => row.name);
  }

  @OnIntegrationEvent('beta', 'identity.v1.UserRegistered')
  async onRegistered(@Payload() event: DecodedIntegrationEvent<'identity.v1.UserRegistered'>, @Ctx() context: BusContext): Promise<void> {
    await context.getTransaction().query(`INSERT INTO ${this.service.schema}.known_users (user_id, name) VALUES ($1, $2)`, [event.message.userId, event.message.name]);
    if (event.message.name === 'flaky' && flakyFailures++ === 0) throw new Error('transient failure');
  }
}

@Module({})
class BetaModule {
  static register(options: ServiceModuleOptions): DynamicModule {
    return {
      module: BetaModule,
      controllers: [BetaController],
      imports: [
        ServiceCoreModule.forService({
          ...options,
          name: 'beta',
          migrations: [{ id: 'beta_001_known_users', sql: 'CREATE TABLE {schema}.known_users (user_id text PRIMARY KEY, name text NOT NULL)' }],
        }),
      ],
    };
  }
}

const alpha: ServiceDefinition = { name: 'alpha', module: (r) => AlphaModule.register(r) };
const beta: ServiceDefinition = { name: 'beta', module: (r) => BetaModule.register(r) };

describe('startServices: two services in one application (PGlite + MemoryBus)', () => {
  let db: SqlExecutor;
  let bus: MemoryBus;
  let app: NestExpressApplication;
  let url = '';
  let tokens: TestTokens;

  beforeAll(async () => {
    db = await PGliteExecutor.open();
    bus = new MemoryBus({ redeliveryDelayMs: 5 });
    tokens = await createTestTokens();
    ({ app, url } = await startTestServices({
      services: [
        { definition: alpha, schema: 'alpha' },
        { definition: beta, schema: 'beta' },
      ],
      db,
      bus,
      jwks: tokens.jwks,
      auth: { schema: 'edge', groupId: 'edge.auth' },
    }));
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await bus?.close();
    await db?.close();
  });

  it('publishes one service’s committed events through its outbox to the other’s handler, once each, retrying a failure', async () => {
    for (const name of ['ada', 'flaky']) {
      const response = await fetch(`${url}/alpha/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
      expect(response.status).toBe(201);
    }
    const finance = await tokens.issue('Finance');
    const names = async () => (await (await fetch(`${url}/beta/users`, { headers: { authorization: `Bearer ${finance}` } })).json()) as string[];
    await waitUntil('beta knows both users', async () => (await names()).length === 2);
    expect(await names()).toEqual(['ada', 'flaky']);
    expect(flakyFailures).toBe(2); // failed once (rolled back), then succeeded

  });

  it('guards every service’s routes: no rule is denied, roles are enforced', async () => {
    expect((await fetch(`${url}/alpha/users/forgotten`, { headers: { authorization: `Bearer ${await tokens.issue('Admin')}` } })).status).toBe(403);
    expect((await fetch(`${url}/beta/users`, { headers: { authorization: `Bearer ${await tokens.issue('Sales')}` } })).status).toBe(403);
    expect((await fetch(`${url}/beta/users`)).status).toBe(401);
  });

  it('reports each service’s database and outbox health, each migrated in its own schema', async () => {
    const report = (await (await fetch(`${url}/health`)).json()) as HealthReport;
    expect(report.status).toBe('up');
    expect(report.modules['alpha']?.checks).toMatchObject({ database: { status: 'up', schema: 'alpha' }, outbox: { status: 'up' } });
    expect(report.modules['beta']?.checks).toMatchObject({ database: { status: 'up', schema: 'beta' } });
    expect(report.modules['beta']?.checks['outbox']).toBeUndefined();
    // beta has handled everything alpha published: its consumer group has no lag.
    expect(report.modules['beta']?.checks['consumer']).toMatchObject({ status: 'up', group: 'beta', lag: 0 });
    const tables = await db.query<{ t: string }>(
      `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema IN ('alpha', 'beta', 'edge') AND table_name IN ('events', 'processed_messages', 'known_users', 'auth_revoked_sessions') ORDER BY 1`,
    );
    expect(tables.rows.map((row) => row.t)).toEqual([
      'alpha.events',
      'alpha.processed_messages',
      'beta.events',
      'beta.known_users',
      'beta.processed_messages',
      'edge.auth_revoked_sessions',
      'edge.processed_messages',
    ]);
  });

  it('serves one OpenAPI 3.1 document of every service’s routes, which the gateway can merge', async () => {
    const response = await fetch(`${url}/api/docs/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as OpenAPIObject;
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual(['/alpha/users', '/alpha/users/forgotten', '/beta/users', '/health']);
    const merged = mergeOpenApi('All', [
      { service: 'alpha', document },
      { service: 'other', document: { ...document, paths: { '/other': { get: { responses: {} } } } } },
    ]);
    expect(Object.keys(merged.paths).sort()).toEqual(['/alpha/users', '/alpha/users/forgotten', '/beta/users', '/health', '/other']);
    expect((merged.paths['/other']?.get as { tags: string[] }).tags).toEqual(['other']);
    expect((await fetch(`${url}/api/docs`)).status).toBe(200);
  });
});
