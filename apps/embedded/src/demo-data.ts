import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@nestjs/common';
import { DEMO_PASSWORD } from '@billing/identity-service';

/**
 * Demo mode only: the password the imported BillProcess staff (`User1`…`User4`, …) get through their
 * one-time setup tokens, so they can log in. (The demo users' own password, `DEMO_PASSWORD`, is on
 * identity's list of common passwords on purpose, so no real account can use it.)
 */
export const DEMO_STAFF_PASSWORD = 'BillProcess staff 2017';

/** The project's own copy of the BillProcess dataset (`seed/bill-process/`). */
export const SEED_DIRECTORY = fileURLToPath(new URL('../../../seed/bill-process/', import.meta.url));

/** What {@link loadDemoData} did. */
export interface DemoDataReport {
  /** False when the installation already had customers (nothing was imported). */
  imported: boolean;
  users?: unknown;
  customers?: unknown;
  usages?: unknown;
  bills?: unknown;
}

async function call(baseUrl: string, token: string, path: string, body: string, contentType: string): Promise<unknown> {
  const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${text}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/** Logs in through the API; resolves with the access token. @throws Error when the login fails. */
export async function login(baseUrl: string, name: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
  const body = (await response.json()) as { accessToken?: string; detail?: string };
  if (!response.ok || !body.accessToken) throw new Error(`login as ${name} failed (${response.status}): ${body.detail ?? ''}`);
  return body.accessToken;
}

/**
 * Demo mode's first-start data (embedded runtime only): when the installation has no customer yet,
 * imports the BillProcess dataset through the platform's own public API, as the demo users would:
 * `users.csv` (as `demo-admin`; in demo mode the imported users get {@link DEMO_STAFF_PASSWORD}
 * through their one-time setup tokens, so `User1`…`User4` can log in), then `customers.csv`,
 * `usages.csv` and the historical bill of `bills.json` (as `demo-finance`). The demo users themselves
 * are created by the identity service (`IDENTITY_DEMO_USERS`). Idempotent: a second run imports nothing.
 * @throws Error when an import is refused (the message carries the API's answer).
 */
export async function loadDemoData(baseUrl: string, seedDirectory = SEED_DIRECTORY): Promise<DemoDataReport> {
  const admin = await login(baseUrl, 'demo-admin', DEMO_PASSWORD);
  const existing = await fetch(`${baseUrl}/api/customers?limit=1`, { headers: { authorization: `Bearer ${admin}` } });
  if (existing.ok && ((await existing.json()) as { total: number }).total > 0) return { imported: false };
  const read = (file: string) => readFile(join(seedDirectory, file), 'utf8');

  const users = (await call(baseUrl, admin, '/api/users/import', await read('users.csv'), 'text/csv')) as {
    setupTokens?: { token: string }[];
  };
  for (const setup of users.setupTokens ?? []) {
    await call(baseUrl, admin, '/api/users/password-setup', JSON.stringify({ token: setup.token, password: DEMO_STAFF_PASSWORD }), 'application/json');
  }
  const finance = await login(baseUrl, 'demo-finance', DEMO_PASSWORD);
  const customers = await call(baseUrl, finance, '/api/customers/import', await read('customers.csv'), 'text/csv');
  const usages = await call(baseUrl, finance, '/api/usage/import', await read('usages.csv'), 'text/csv');
  const bills = await call(baseUrl, finance, '/api/bills/import', await read('bills.json'), 'application/json');
  new Logger('DemoData').log(`BillProcess data imported: 5 staff users (password: ${DEMO_STAFF_PASSWORD}), 10 customers, 48 monthly usages, 1 historical bill`);
  return { imported: true, users, customers, usages, bills };
}
