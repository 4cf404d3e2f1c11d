/**
 * Test harness of the customers service (tests and the benchmark only): the service on a database
 * and a MemoryBus through `startServices`, test tokens, identity users published on the bus, and a
 * recorder of the `customers.v1` events the outbox publishes.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createTestTokens, type TestTokens } from '@billing/auth/testing';
import type { Role } from '@billing/auth';
import { decodeIntegrationEvent, encodeIntegrationEvent, SYSTEM_ACTOR, topicOf, TOPICS, type DecodedIntegrationEvent } from '@billing/contracts';
import type { SqlExecutor } from '@billing/database';
import { MemoryBus } from '@billing/messaging';
import { type ServiceDefinition } from '@billing/service-kit';
import { startTestServices } from '@billing/service-kit/testing';
import { randomUUID } from 'node:crypto';
import { CUSTOMERS_SERVICE, CustomersModule } from '../customers.module.js';
import type { CustomersSettings } from '../settings.js';

/** A running customers service for a test. */
export interface Harness {
  app: NestExpressApplication;
  url: string;
  bus: MemoryBus;
  tokens: TestTokens;
  /** `customers.v1` events published so far, decoded. */
  published: DecodedIntegrationEvent[];
  /** `fetch` as `role` (JSON body when `body` is an object, CSV when a string). */
  call(role: Role | null, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Publishes `identity.v1.UserRegistered` for a user; resolves once the service has handled it. */
  registerUser(user: { userId: string; name: string; role: string; active?: boolean }): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the customers service on `db` (schema `schema`) with a MemoryBus; the scheduler is off unless
 * `settings` says otherwise; `options.observe: false` skips recording published events (benchmark).
 */
export async function startHarness(db: SqlExecutor, schema: string, settings: Partial<CustomersSettings> = {}, options: { observe?: boolean } = {}): Promise<Harness> {
  const bus = new MemoryBus({ redeliveryDelayMs: 5 });
  const tokens = await createTestTokens();
  const definition: ServiceDefinition = { name: CUSTOMERS_SERVICE, module: (r) => CustomersModule.register(r, { scheduler: false, ...settings }) };
  const published: DecodedIntegrationEvent[] = [];
  const observer = options.observe === false ? undefined : await bus.subscribe({
    groupId: `observer-${randomUUID()}`,
    topics: [TOPICS.customers],
    handler: async (message) => {
      published.push(decodeIntegrationEvent(message.value));
    },
  });
  const { app, url } = await startTestServices({
    services: [{ definition, schema }],
    db,
    bus,
    jwks: tokens.jwks,
    auth: { schema, groupId: `${schema}.auth` },
    http: { bodyLimit: '2mb' },
  });
  const tokenCache = new Map<string, string>();
  return {
    app,
    url,
    bus,
    tokens,
    published,
    async call(role, method, path, body) {
      const headers: Record<string, string> = {};
      if (role) {
        if (!tokenCache.has(role)) tokenCache.set(role, await tokens.issue(role, { userId: `${role.toLowerCase()}-user`, name: `${role} tester` }));
        headers['authorization'] = `Bearer ${tokenCache.get(role)}`;
      }
      let payload: string | undefined;
      if (typeof body === 'string') {
        headers['content-type'] = 'text/csv';
        payload = body;
      } else if (body !== undefined) {
        headers['content-type'] = 'application/json';
        payload = JSON.stringify(body);
      }
      const response = await fetch(`${url}${path}`, { method, headers, body: payload });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async registerUser(user) {
      const value = encodeIntegrationEvent({
        type: 'identity.v1.UserRegistered',
        data: { userId: user.userId, name: user.name, role: user.role, active: user.active ?? true },
        eventId: randomUUID(),
        occurredAt: new Date(),
        streamId: `user-${user.userId}`,
        streamVersion: 1n,
        correlationId: randomUUID(),
        causationId: randomUUID(),
        actor: SYSTEM_ACTOR,
      });
      await bus.publish(topicOf('identity.v1.UserRegistered'), [{ key: `user-${user.userId}`, value }]);
    },
    async close() {
      await app.close();
      await observer?.close();
      await bus.close();
    },
  };
}
