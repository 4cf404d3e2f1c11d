/**
 * @billing/auth/testing: tokens for tests of any service, signed with a throw-away key whose public
 * set the service under test is configured with (`AuthModule.forRoot({ keys: { jwks: keys.jwks } })`).
 */
import type { JSONWebKeySet } from 'jose';
import { randomUUID } from 'node:crypto';
import type { Role } from './roles.js';
import { generateSigningKey, signAccessToken, toJwks, type SigningKey } from './token-signer.js';

/** A test key and a token factory. */
export interface TestTokens {
  key: SigningKey;
  jwks: JSONWebKeySet;
  /** A valid access token for a user of `role` (defaults: a fresh user and session id, 15 minutes). */
  issue(role: Role | null, options?: { userId?: string; name?: string; sessionId?: string; ttlSeconds?: number; now?: Date }): Promise<string>;
}

/** Creates a test signing key and a token factory for it. */
export async function createTestTokens(): Promise<TestTokens> {
  const key = await generateSigningKey();
  return {
    key,
    jwks: toJwks([key]),
    async issue(role, options = {}) {
      const userId = options.userId ?? `user-${randomUUID()}`;
      const { token } = await signAccessToken(
        key,
        { userId, name: options.name ?? userId, role, sessionId: options.sessionId ?? randomUUID() },
        { ttlSeconds: options.ttlSeconds ?? 900, now: options.now },
      );
      return token;
    },
  };
}

/** Who a route of the role × endpoint matrix must let through. */
export type MatrixAccess = 'anyone' | 'authenticated' | readonly Role[];

/**
 * One row of a role × endpoint matrix: a concrete request and who may make it. "Let through" means the
 * answer is neither 401 nor 403 (a 2xx, or a 4xx about the request itself such as 400/404/409); refused
 * means 401 for the anonymous caller and 403 for a role that is not listed.
 */
export interface MatrixRow {
  method: string;
  /** The route pattern as Nest declares it, e.g. `/api/users/:userId` (matched against `listRoutes`). */
  route: string;
  /** A concrete path to call, e.g. `/api/users/00000000-0000-0000-0000-000000000000`. Default: `route`. */
  path?: string;
  /** A JSON body to send (default none). */
  body?: unknown;
  access: MatrixAccess;
}

/** The callers a matrix is run with. */
export const MATRIX_CALLERS = ['anonymous', 'Finance', 'CustomerSuccess', 'Sales', 'Admin'] as const;

/** What a caller should get from a row: `allowed` (not 401/403), 401 or 403. */
export function expectedOutcome(row: MatrixRow, caller: (typeof MATRIX_CALLERS)[number]): 'allowed' | 401 | 403 {
  if (row.access === 'anyone') return 'allowed';
  if (caller === 'anonymous') return 401;
  if (row.access === 'authenticated') return 'allowed';
  return (row.access as readonly string[]).includes(caller) ? 'allowed' : 403;
}

/**
 * Runs every row of `rows` against `baseUrl` as every caller of {@link MATRIX_CALLERS} (a fresh token
 * per role from `tokenFor`), and returns one line per mismatch (empty when the matrix holds), e.g.
 * `PATCH /api/users/:userId as Sales: expected 403, got 200`.
 */
export async function checkAccessMatrix(baseUrl: string, rows: readonly MatrixRow[], tokenFor: (role: Role) => Promise<string>): Promise<string[]> {
  const mismatches: string[] = [];
  for (const row of rows) {
    for (const caller of MATRIX_CALLERS) {
      const headers: Record<string, string> = {};
      if (caller !== 'anonymous') headers['authorization'] = `Bearer ${await tokenFor(caller)}`;
      if (row.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${baseUrl}${row.path ?? row.route}`, {
        method: row.method,
        headers,
        body: row.body === undefined ? undefined : JSON.stringify(row.body),
      });
      await response.arrayBuffer();
      const expected = expectedOutcome(row, caller);
      const got = response.status;
      const ok = expected === 'allowed' ? got !== 401 && got !== 403 : got === expected;
      if (!ok) mismatches.push(`${row.method} ${row.route} as ${caller}: expected ${expected === 'allowed' ? 'not 401/403' : expected}, got ${got}`);
    }
  }
  return mismatches;
}

/**
 * The routes of `routes` (from `listRoutes(app)`) that have no row in `rows`, or declare no access rule,
 * as `METHOD /path` lines: a new endpoint without a matrix row, or without a rule, fails the test.
 */
export function uncoveredRoutes(routes: readonly { method: string; path: string; rule: unknown }[], rows: readonly MatrixRow[]): string[] {
  const covered = new Set(rows.map((row) => `${row.method} ${row.route}`));
  return routes
    .filter((route) => route.rule === undefined || !covered.has(`${route.method} ${route.path}`))
    .map((route) => `${route.method} ${route.path}${route.rule === undefined ? ' (no access rule)' : ''}`);
}
