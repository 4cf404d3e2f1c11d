import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import { createTestTokens, type TestTokens } from '@billing/auth/testing';
import { openTestPostgres, quoteIdentifier, uniqueSchema, type SqlExecutor } from '@billing/database';
import { createKafkaBus, type KafkaBus } from '@billing/messaging';
import { startKafkaMockCluster, waitUntil, type KafkaTestCluster } from '@billing/messaging/testing';
import { startTestServices } from '@billing/service-kit/testing';
import { approvalsService } from './approvals.module.js';
import { createHarness, seedUsers, terms } from './testing/harness.js';

// The same acceptance flow in the distributed topology: approvals as its own application on
// PostgreSQL, every event over the Kafka protocol (librdkafka's mock cluster).

const postgres = await openTestPostgres();
const cluster = await startKafkaMockCluster();
const skipReason = 'skipReason' in postgres ? postgres.skipReason : typeof cluster === 'string' ? cluster : undefined;
if (skipReason) console.log(`approvals over PostgreSQL + Kafka skipped: ${skipReason}`);
const suite = skipReason ? describe.skip : describe;

const kafka = (brokers: string[], clientId: string): KafkaBus =>
  createKafkaBus({
    brokers,
    clientId,
    logLevel: 'nothing',
    redeliveryDelayMs: 50,
    consumer: { sessionTimeoutMs: 4_000, heartbeatIntervalMs: 300, rebalanceTimeoutMs: 10_000, maxWaitTimeMs: 100 },
  });

suite('approvals over PostgreSQL + Kafka (distributed topology)', () => {
  const db = 'db' in postgres ? (postgres.db as SqlExecutor) : (undefined as unknown as SqlExecutor);
  const schema = uniqueSchema('approvals');
  const users = seedUsers();
  const customer2 = randomUUID();
  const buses: KafkaBus[] = [];
  let app: NestExpressApplication | undefined;
  let url = '';
  let tokens: TestTokens;
  const testBus = skipReason ? (undefined as unknown as KafkaBus) : kafka((cluster as KafkaTestCluster).brokers, 'approvals-test-peers');
  const h = createHarness({ bus: testBus, url: () => url, tokens: () => tokens, admin: users.admin });

  beforeAll(async () => {
    tokens = await createTestTokens();
    const serviceBus = kafka((cluster as KafkaTestCluster).brokers, 'approvals-test');
    buses.push(serviceBus, testBus);
    ({ app, url } = await startTestServices({
      services: [{ definition: approvalsService, schema }],
      db,
      bus: serviceBus,
      jwks: tokens.jwks,
      auth: { schema, groupId: `${schema}.auth` },
    }));
    await h.observe();
    for (const user of Object.values(users)) await h.publish('identity.v1.UserRegistered', { userId: user.userId, name: user.name, role: user.role, active: true }, user.userId);
    await h.publish(
      'customers.v1.CustomerRegistered',
      { customerId: customer2, name: 'Customer2', billingAddress: '', billingEmail: 'c2@example.com', csmUserId: users.user3.userId, terms: terms(true) },
      customer2,
    );
  }, 90_000);

  afterAll(async () => {
    await h.stop();
    await app?.close();
    for (const bus of buses) await bus.close();
    if (db) {
      await db.exec(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
      await db.close();
    }
    if (typeof cluster !== 'string') await cluster.stop();
  }, 60_000);

  it('Customer2: Sales waits for the CSM (409), User3 then Sales approve → BillApprovalGranted; a rejection publishes BillApprovalRejected', async () => {
    const billId = randomUUID();
    await h.submit(billId, customer2, { submitter: users.user2, drafter: users.user2 });
    const opened = await h.waitForProcess(billId);
    expect(opened.current.steps.map((s) => s.label)).toEqual(["Customer's CSM", 'Sales']);

    expect((await h.approve(users.user1, billId)).body.code).toBe('approval.waiting_for_previous_step');
    expect((await h.approve(users.user4, billId)).status).toBe(403);
    expect((await h.approve(users.user3, billId, 'checked')).status).toBe(200);
    expect((await h.approve(users.user3, billId)).status).toBe(409);
    expect((await h.approve(users.user1, billId)).body.status).toBe('approved');
    await waitUntil('BillApprovalGranted over Kafka', () => h.eventsOf('approvals.v1.BillApprovalGranted', billId).length === 1, { timeoutMs: 30_000 });
    expect(h.eventsOf('approvals.v1.BillApprovalGranted', billId)[0]!.actor.userId).toBe(users.user1.userId);

    const second = randomUUID();
    await h.submit(second, customer2, { submitter: users.user2, drafter: users.user2 });
    await h.waitForProcess(second);
    expect((await h.reject(users.user3, second, { comment: 'usage disputed by the customer' })).body.status).toBe('rejected');
    await waitUntil('BillApprovalRejected over Kafka', () => h.eventsOf('approvals.v1.BillApprovalRejected', second).length === 1, { timeoutMs: 30_000 });
    expect(h.eventsOf('approvals.v1.BillApprovalRejected', second)[0]!.message).toMatchObject({ userId: users.user3.userId, role: 'CustomerSuccess', comment: 'usage disputed by the customer' });
  }, 90_000);
});
