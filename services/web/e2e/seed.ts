import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SqlExecutor } from '@billing/database';
import { waitUntil } from '@billing/messaging/testing';

/** The repository's own copy of the BillProcess dataset. */
export const SEED_DIR = resolve(import.meta.dirname, '..', '..', '..', 'seed', 'bill-process');

/** Password every seeded user gets in the browser tests. */
export const PASSWORD = 'correct-horse-battery-9';

/** Calls the platform's API with JSON (or CSV text) and returns the parsed answer. @throws Error naming the call and the problem. */
export async function call<T>(baseUrl: string, method: string, path: string, options: { token?: string; json?: unknown; csv?: string } = {}): Promise<T> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.csv !== undefined) {
    headers['content-type'] = 'text/csv';
    body = options.csv;
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

interface ImportReport {
  rejected: { line: number; reason: string; field?: string }[];
}

/**
 * Loads the BillProcess data through the services' public import endpoints, as an Admin who already
 * signed up (the first user of the installation): users (then each imported user sets the test
 * password with their one-time setup token), customers (re-imported until the customers service
 * knows the CSMs from identity's events: an import is idempotent), monthly usage. Then waits until
 * billing and approvals have received what the scenario needs through the bus (their read models).
 * @returns the users' import report and the customers' id by name.
 */
export async function loadBillProcess(baseUrl: string, db: SqlExecutor, admin: { name: string; password: string }): Promise<{ usersRejected: ImportReport['rejected'] }> {
  const { accessToken: token } = await call<{ accessToken: string }>(baseUrl, 'POST', '/api/session', { json: admin });
  const users = await call<ImportReport & { setupTokens: { name: string; token: string }[] }>(baseUrl, 'POST', '/api/users/import', { token, csv: readFileSync(join(SEED_DIR, 'users.csv'), 'utf8') });
  for (const setup of users.setupTokens) await call(baseUrl, 'POST', '/api/users/password-setup', { json: { token: setup.token, password: PASSWORD } });
  const customersCsv = readFileSync(join(SEED_DIR, 'customers.csv'), 'utf8');
  let customers: ImportReport = { rejected: [] };
  await waitUntil(
    'the customers import is accepted (the customers service knows the CSMs)',
    async () => {
      customers = await call<ImportReport>(baseUrl, 'POST', '/api/customers/import', { token, csv: customersCsv });
      return customers.rejected.length === 0;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  ).catch((error: Error) => {
    throw new Error(`${error.message}: ${JSON.stringify(customers.rejected)}`);
  });
  await call(baseUrl, 'POST', '/api/usage/import', { token, csv: readFileSync(join(SEED_DIR, 'usages.csv'), 'utf8') });
  const count = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
  await waitUntil(
    'billing and approvals know the customers, the users and the closed October 2017 usage',
    async () =>
      (await count(`SELECT count(*)::text AS n FROM billing.customers`)) === 10 &&
      (await count(`SELECT count(*)::text AS n FROM billing.customer_terms`)) >= 10 &&
      (await count(`SELECT count(*)::text AS n FROM billing.usage_totals WHERE period = '2017-10'`)) >= 4 &&
      (await count(`SELECT count(*)::text AS n FROM billing.users WHERE name IN ('User1', 'User2', 'User3')`)) === 3 &&
      (await count(`SELECT count(*)::text AS n FROM approvals.customers`)) === 10,
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  return { usersRejected: users.rejected };
}
