import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { approvalsAccessMatrix } from '@billing/approvals-service';
import { ROLES, listRoutes, type Role } from '@billing/auth';
import { checkAccessMatrix, uncoveredRoutes, type MatrixRow } from '@billing/auth/testing';
import { billingAccessMatrix } from '@billing/billing-service';
import { customersAccessMatrix } from '@billing/customers-service';
import { DEMO_PASSWORD, DEMO_USERS, identityAccessMatrix } from '@billing/identity-service';
import { login } from './demo-data.js';
import { startEmbedded, type EmbeddedRuntime } from './embedded.js';

/** Routes of the composition itself (not of a service). */
const platformRows: MatrixRow[] = [{ method: 'GET', route: '/health', access: 'anyone' }];

/**
 * The one role × endpoint table of the whole platform: every service's rows plus the platform's. The
 * logout row goes last: it revokes the token it is called with.
 */
const isLogout = (row: MatrixRow) => row.method === 'DELETE' && row.route === '/api/session';
const all: MatrixRow[] = [...platformRows, ...identityAccessMatrix, ...customersAccessMatrix, ...billingAccessMatrix, ...approvalsAccessMatrix];
const rows: MatrixRow[] = [...all.filter((row) => !isLogout(row)), ...all.filter(isLogout)];

describe('role × endpoint matrix of every service, in the embedded runtime with real logins', () => {
  let runtime: EmbeddedRuntime;
  const tokens = new Map<Role, string>();

  beforeAll(async () => {
    runtime = await startEmbedded({ PORT: 0, DATABASE_URL: 'pglite://memory', DEMO_MODE: true, LOG_LEVEL: 'error' });
    for (const role of ROLES) {
      const user = DEMO_USERS.find((demo) => demo.role === role)!;
      tokens.set(role, await login(runtime.url, user.name, DEMO_PASSWORD));
    }
  }, 180_000);

  afterAll(async () => {
    await runtime?.close();
  });

  it('has a row for every route of every service, and every route declares an access rule', () => {
    expect(uncoveredRoutes(listRoutes(runtime.app), rows)).toEqual([]);
  });

  it('answers each role and the anonymous caller as the table says (401 anonymous, 403 other roles)', async () => {
    // Tokens issued by the identity service itself, verified by every service's guard.
    expect(await checkAccessMatrix(runtime.url, rows, async (role) => tokens.get(role)!)).toEqual([]);
  }, 300_000);
});
