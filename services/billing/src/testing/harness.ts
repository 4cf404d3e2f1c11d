/**
 * Test harness of the billing service: the service on PostgreSQL (`DATABASE_URL`, a fresh schema) or,
 * when PostgreSQL is unreachable, PGlite; a MemoryBus on which tests publish other contexts' events as
 * those services would; test tokens. Also the BillProcess dataset (`seed/bill-process/`) as events.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { v5 as uuidv5 } from 'uuid';
import { createTestTokens, type TestTokens } from '@billing/auth/testing';
import type { Role } from '@billing/auth';
import { encodeIntegrationEvent, topicOf, type EventInit, type EventType } from '@billing/contracts';
import { openTestPostgres, PGliteExecutor, quoteIdentifier, uniqueSchema, type SqlExecutor } from '@billing/database';
import { Header, MemoryBus } from '@billing/messaging';
import { startTestServices } from '@billing/service-kit/testing';
import { billingService } from '../billing.module.js';

export const SEED_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../../seed/bill-process');
const TEST_NS = '0f6d1c2a-7b3e-4a59-8c10-2e9d4b7f6a35';
/** Deterministic id of a seed user or customer (as the other services derive theirs). */
export const seedId = (kind: string, name: string): string => uuidv5(`${kind}:${name}`, TEST_NS);

export interface Harness {
  app: NestExpressApplication;
  url: string;
  db: SqlExecutor;
  bus: MemoryBus;
  schema: string;
  tokens: TestTokens;
  backend: string;
  token(role: Role, userId?: string, name?: string): Promise<string>;
  publish<T extends EventType>(type: T, key: string, data: EventInit<T>, actor?: { userId: string; role: string; displayName: string }, occurredAt?: Date): Promise<void>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read JSON answers loosely
  api(method: string, path: string, role: Role | null, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const pg = await openTestPostgres(10);
  const db: SqlExecutor = 'db' in pg ? pg.db : await PGliteExecutor.open();
  const backend = 'db' in pg ? 'PostgreSQL' : `PGlite (${pg.skipReason})`;
  const schema = uniqueSchema('billing_test');
  const bus = new MemoryBus({ redeliveryDelayMs: 5 });
  const tokens = await createTestTokens();
  const { app, url } = await startTestServices({
    services: [{ definition: billingService, schema }],
    db,
    bus,
    jwks: tokens.jwks,
    auth: { schema: `${schema}_auth`, groupId: `${schema}.auth` },
  });
  const harness: Harness = {
    app,
    url,
    db,
    bus,
    schema,
    tokens,
    backend,
    token: (role, userId, name) => tokens.issue(role, { userId, name }),
    async publish(type, key, data, actor = { userId: 'system', role: 'system', displayName: 'System' }, occurredAt = new Date()) {
      const eventId = randomUUID();
      const value = encodeIntegrationEvent({ type, data, eventId, occurredAt, streamId: key, streamVersion: 1n, correlationId: eventId, causationId: eventId, actor } as never);
      await bus.publish(topicOf(type), [{ key, value, headers: { [Header.eventId]: eventId, [Header.eventType]: type } }]);
    },
    async api(method, path, role, body, headers = {}) {
      const h: Record<string, string> = { ...headers };
      if (role) h['authorization'] = `Bearer ${await tokens.issue(role, { userId: `${role.toLowerCase()}-user`, name: `${role} User` })}`;
      if (body !== undefined) h['content-type'] = 'application/json';
      const response = await fetch(`${url}${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
    },
    async close() {
      await app.close();
      await bus.close();
      for (const name of [schema, `${schema}_auth`]) await db.exec(`DROP SCHEMA IF EXISTS ${quoteIdentifier(name)} CASCADE`).catch((error: unknown) => console.warn(`could not drop ${name}: ${String(error)}`));
      await db.close();
    },
  };
  return harness;
}

/** Parses the seed's simple CSV (quoted fields may hold commas). */
export function readCsv(file: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(join(SEED_DIR, file), 'utf8').trim().split(/\r?\n/);
  const split = (line: string): string[] => {
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    for (const ch of line) {
      if (ch === '"') quoted = !quoted;
      else if (ch === ',' && !quoted) {
        fields.push(field);
        field = '';
      } else field += ch;
    }
    fields.push(field);
    return fields;
  };
  const names = header!.split(',');
  return lines.map((line) => Object.fromEntries(split(line).map((v, i) => [names[i]!, v])));
}

/** Grace months the BillProcess customers get ("First Three Months"). */
export const SEED_GRACE_MONTHS = 3;

/** Publishes the BillProcess users, customers and usages as identity/customers would. */
export async function publishSeed(h: Harness): Promise<void> {
  for (const u of readCsv('users.csv')) {
    await h.publish('identity.v1.UserRegistered', seedId('user', u.name!), { userId: seedId('user', u.name!), name: u.name!, role: u.role || 'none', active: true });
  }
  for (const c of readCsv('customers.csv')) {
    await h.publish('customers.v1.CustomerRegistered', seedId('customer', c.name!), {
      customerId: seedId('customer', c.name!),
      name: c.name!,
      billingAddress: c.billing_address!,
      billingEmail: c.billing_email!,
      csmUserId: seedId('user', c.csm!),
      terms: {
        monthlyApiLimit: BigInt(c.monthly_api_limit!),
        overageUnitPrice: c.overage_unit_cost!,
        currency: c.currency!,
        startDate: c.start_date!,
        ...(c.end_date ? { endDate: c.end_date } : {}),
        requireCsmApproval: c.require_csm_approval === 'true',
        overageGraceMonths: SEED_GRACE_MONTHS,
      },
    });
  }
  for (const u of readCsv('usages.csv')) {
    const period = `${u.year}-${u.month!.padStart(2, '0')}`;
    await h.publish('customers.v1.UsagePeriodClosed', seedId('customer', u.customer!), { customerId: seedId('customer', u.customer!), period, apiCalls: BigInt(u.api_usage!) });
  }
}

/** Every read-model table's rows, in a stable order (for replay comparisons). */
export async function snapshotReadModels(db: SqlExecutor, schema: string): Promise<Record<string, unknown[]>> {
  const s = quoteIdentifier(schema);
  const out: Record<string, unknown[]> = {};
  for (const [t, order] of [
    ['bills', 'bill_id'],
    ['bill_runs', 'run_id'],
    ['customers', 'customer_id'],
    ['customer_terms', 'customer_id, effective_from'],
    ['usage_totals', 'customer_id, period'],
    ['users', 'user_id'],
  ] as const) {
    out[t] = (await db.query(`SELECT to_jsonb(x) AS row FROM ${s}.${t} x ORDER BY ${order}`)).rows;
  }
  return out;
}
