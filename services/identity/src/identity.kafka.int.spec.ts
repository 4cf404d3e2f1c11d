import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { openTestPostgres, quoteIdentifier, uniqueSchema, type SqlExecutor } from '@billing/database';
import { createKafkaBus, type KafkaBus } from '@billing/messaging';
import { startKafkaMockCluster, waitUntil, type KafkaTestCluster } from '@billing/messaging/testing';
import { startServices } from '@billing/service-kit';
import { DEFAULT_IDENTITY_SETTINGS } from './config.js';
import { createIdentityService } from './identity.module.js';
import { call } from './testing/http.js';
import { toyService } from './testing/toy-service.js';
import type { UserView } from './users/users.service.js';

const postgres = await openTestPostgres();
const cluster = await startKafkaMockCluster();
const skipReason = 'skipReason' in postgres ? postgres.skipReason : typeof cluster === 'string' ? cluster : undefined;
if (skipReason) console.log(`identity over PostgreSQL + Kafka skipped: ${skipReason}`);
const suite = skipReason ? describe.skip : describe;

const PASSWORD = 'correct horse battery';
const kafka = (brokers: string[], clientId: string): KafkaBus =>
  createKafkaBus({
    brokers,
    clientId,
    logLevel: 'nothing',
    redeliveryDelayMs: 50,
    // librdkafka's mock coordinator waits `session timeout - 1 s` for members to rejoin a rebalance.
    consumer: { sessionTimeoutMs: 4_000, heartbeatIntervalMs: 300, rebalanceTimeoutMs: 10_000, maxWaitTimeMs: 100 },
  });

suite('identity and another service as two applications over PostgreSQL + Kafka (distributed topology)', () => {
  const db = 'db' in postgres ? (postgres.db as SqlExecutor) : (undefined as unknown as SqlExecutor);
  const identitySchema = uniqueSchema('identity');
  const toySchema = uniqueSchema('toy');
  const buses: KafkaBus[] = [];
  const apps: NestExpressApplication[] = [];
  let identityUrl = '';
  let toyUrl = '';

  beforeAll(async () => {
    const brokers = (cluster as KafkaTestCluster).brokers;
    const identityBus = kafka(brokers, 'identity-test');
    const toyBus = kafka(brokers, 'toy-test');
    buses.push(identityBus, toyBus);
    const identity = await startServices({
      services: [{ definition: createIdentityService({ ...DEFAULT_IDENTITY_SETTINGS, bcryptCost: 4 }), schema: identitySchema }],
      db,
      bus: identityBus,
      keys: 'self',
      auth: { schema: identitySchema, groupId: `${identitySchema}.auth` },
      port: 0,
      http: { logLevel: false },
      log: false,
    });
    apps.push(identity.app);
    identityUrl = identity.url;
    const toy = await startServices({
      services: [{ definition: toyService, schema: toySchema }],
      db,
      bus: toyBus,
      keys: { jwksUrl: `${identityUrl}/.well-known/jwks.json` },
      auth: { schema: toySchema, groupId: `${toySchema}.auth` },
      port: 0,
      http: { logLevel: false },
      log: false,
    });
    apps.push(toy.app);
    toyUrl = toy.url;
  }, 90_000);

  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
    for (const bus of buses) await bus.close();
    if (db) {
      for (const schema of [identitySchema, toySchema]) await db.exec(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
      await db.close();
    }
    if (typeof cluster !== 'string') await cluster.stop();
  }, 60_000);

  it('keeps names unique and makes exactly one Admin when the first sign-ups race', async () => {
    const answers = await Promise.all(
      ['Racer', 'RACER', 'racer', 'Other racer', 'Third racer'].map((name) => call<UserView>(`${identityUrl}/api/users`, { method: 'POST', body: { name, password: PASSWORD } })),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([201, 201, 201, 409, 409]);
    expect(answers.filter((answer) => answer.status === 201 && answer.body.role === 'Admin')).toHaveLength(1);
  }, 30_000);

  it('after logout the same token gets 401 auth.token_revoked from the other service (through Kafka)', async () => {
    const session = await call<{ accessToken: string }>(`${identityUrl}/api/session`, { method: 'POST', body: { name: 'other racer', password: PASSWORD } });
    expect(session.status).toBe(201);
    const token = session.body.accessToken;
    await waitUntil('the other service accepts the token (keys fetched from the JWKS URL)', async () => (await call(`${toyUrl}/toy/whoami`, { token })).status === 200, { timeoutMs: 30_000 });
    expect((await call(`${identityUrl}/api/session`, { method: 'DELETE', token })).status).toBe(204);
    await waitUntil('the other service refuses the revoked token', async () => (await call(`${toyUrl}/toy/whoami`, { token })).body['code'] === 'auth.token_revoked', { timeoutMs: 45_000, intervalMs: 100 });
    await waitUntil('identity refuses it too', async () => (await call(`${identityUrl}/api/session`, { token })).body['code'] === 'auth.token_revoked', { timeoutMs: 45_000, intervalMs: 100 });
  }, 120_000);
});
