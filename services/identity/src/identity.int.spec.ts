import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { signAccessToken } from '@billing/auth';
import { createTestTokens } from '@billing/auth/testing';
import { PGliteExecutor, type SqlExecutor } from '@billing/database';
import { MemoryBus } from '@billing/messaging';
import { waitUntil } from '@billing/messaging/testing';
import { startServices } from '@billing/service-kit';
import { DEFAULT_IDENTITY_SETTINGS, type IdentitySettings } from './config.js';
import { createIdentityService } from './identity.module.js';
import { SigningKeyStore } from './sessions/signing-keys.js';
import { call, refreshCookie } from './testing/http.js';
import { toyService } from './testing/toy-service.js';
import type { ImportReport, UserView } from './users/users.service.js';

const usersCsv = readFileSync(fileURLToPath(new URL('../../../seed/bill-process/users.csv', import.meta.url)), 'utf8');
const settings: IdentitySettings = { ...DEFAULT_IDENTITY_SETTINGS, bcryptCost: 4, login: { maxFailuresPerAccount: 3, maxFailuresPerAddress: 1000, windowSeconds: 900 } };
const PASSWORD = 'correct horse battery';

type Session = { accessToken: string; user: UserView; sessionId: string; expiresAt: string };

describe('identity service with a second service (PGlite + MemoryBus, keys served by identity itself)', () => {
  let db: SqlExecutor;
  let bus: MemoryBus;
  let app: NestExpressApplication;
  let url = '';
  let admin: Session;

  const login = (name: string, password = PASSWORD) => call<Session>(`${url}/api/session`, { method: 'POST', body: { name, password } });
  const signUp = (body: Record<string, unknown>) => call<UserView>(`${url}/api/users`, { method: 'POST', body });
  const whoami = (token: string) => call(`${url}/toy/whoami`, { token });
  /** Waits until the toy service refuses `token` with `code` (revocations travel through the bus). */
  const refusedByToy = (token: string, code: string) => waitUntil(`the toy service answers ${code}`, async () => (await whoami(token)).body['code'] === code);

  beforeAll(async () => {
    db = await PGliteExecutor.open();
    bus = new MemoryBus({ redeliveryDelayMs: 5 });
    ({ app, url } = await startServices({
      services: [
        { definition: createIdentityService(settings), schema: 'identity' },
        { definition: toyService, schema: 'toy' },
      ],
      db,
      bus,
      keys: 'self',
      auth: { schema: 'edge', groupId: 'edge.auth' },
      port: 0,
      http: { logLevel: false },
      log: false,
    }));
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await bus?.close();
    await db?.close();
  });

  it('serves its Ed25519 public key at /.well-known/jwks.json', async () => {
    const jwks = await call<{ keys: { kty: string; crv: string; alg: string; kid: string; d?: string }[] }>(`${url}/.well-known/jwks.json`);
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys).toHaveLength(1);
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
    expect(jwks.body.keys[0]!.d).toBeUndefined();
  });

  it('makes the first user Admin; later sign-ups get no role whatever they request (Finance, Admin)', async () => {
    const first = await signUp({ name: 'Root', email: 'root@example.com', password: PASSWORD, requestedRole: 'Sales' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ name: 'Root', role: 'Admin', roleLabel: 'Admin', requestedRole: 'Sales', active: true, hasPassword: true });
    expect(JSON.stringify(first.body)).not.toMatch(/\$2b\$|password_hash|passwordHash/);
    for (const requestedRole of ['Finance', 'Admin']) {
      const later = await signUp({ name: `Wants ${requestedRole}`, password: PASSWORD, requestedRole });
      expect(later.status).toBe(201);
      expect(later.body).toMatchObject({ role: null, roleLabel: null, requestedRole, active: true });
    }
    admin = (await login('root')).body;
    expect(admin.user.role).toBe('Admin');
  });

  it('answers a duplicate name (any case) or e-mail with 409 identity.duplicate_user problem details', async () => {
    const byName = await signUp({ name: 'ROOT', password: PASSWORD });
    expect(byName.status).toBe(409);
    expect(byName.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(byName.body).toMatchObject({ status: 409, code: 'identity.duplicate_user', type: 'urn:billing:problem:identity.duplicate_user', errors: [{ field: 'name' }] });
    const byEmail = await signUp({ name: 'Someone', email: 'ROOT@example.com', password: PASSWORD });
    expect(byEmail.body).toMatchObject({ status: 409, code: 'identity.duplicate_user', errors: [{ field: 'email' }] });
  });

  it('answers a short or common password with 400 identity.weak_password naming the rule', async () => {
    const short = await signUp({ name: 'Shorty', password: 'short-pw' });
    expect(short.status).toBe(400);
    expect(short.body).toMatchObject({ code: 'identity.weak_password', errors: [{ field: 'password', message: expect.stringMatching(/^min_length: .*12 characters/) }] });
    const common = await signUp({ name: 'Commoner', password: 'Password1234' });
    expect(common.status).toBe(400);
    expect(common.body).toMatchObject({ code: 'identity.weak_password', errors: [{ field: 'password', message: expect.stringMatching(/^common_password/) }] });
  });

  it('logs in with name or e-mail; the token works on another service; a refresh cookie is set', async () => {
    const response = await call<Session>(`${url}/api/session`, { method: 'POST', body: { name: 'root@example.com', password: PASSWORD } });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ tokenType: 'Bearer', user: { name: 'Root', role: 'Admin' } });
    expect(response.body).not.toHaveProperty('refresh');
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).toMatch(/^billing_refresh=[\w-]{43}; Path=\/api\/session; HttpOnly; SameSite=Strict; Expires=/);
    expect(cookie).not.toMatch(/Secure/);
    expect((await whoami(response.body.accessToken)).body).toEqual({ userId: response.body.user.userId, role: 'Admin' });
    const me = await call(`${url}/api/session`, { token: response.body.accessToken });
    expect(me.body).toMatchObject({ user: { name: 'Root' }, sessionId: response.body.sessionId });
  });

  it('gives one answer to an unknown user, a wrong password and a user without password', async () => {
    const unknown = await login('nobody-at-all');
    const wrong = await login('Wants Finance', 'not the password');
    const imported = await call<ImportReport>(`${url}/api/users/import`, { method: 'POST', token: admin.accessToken, body: 'name,email,role\nNo Password Yet,,Sales\n', headers: { 'content-type': 'text/csv' } });
    expect(imported.body.created).toBe(1);
    const noPassword = await login('No Password Yet', 'anything at all');
    for (const answer of [unknown, wrong, noPassword]) {
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(unknown.body);
    }
    expect(unknown.body).toMatchObject({ code: 'identity.invalid_credentials', detail: 'The name or password is incorrect' });
  });

  it('throttles an account after 3 failures (configured) with 429 and Retry-After, even for the right password', async () => {
    await signUp({ name: 'Target', password: PASSWORD });
    for (let i = 0; i < 3; i++) expect((await login('target', 'wrong password!')).status).toBe(401);
    const blocked = await login('target');
    expect(blocked.status).toBe(429);
    expect(blocked.body).toMatchObject({ code: 'identity.too_many_attempts' });
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
  });

  it('rotates the refresh token; a reused one revokes the session on every service', async () => {
    await signUp({ name: 'Refresher', password: PASSWORD });
    const first = await login('Refresher');
    const cookie1 = refreshCookie(first.headers)!;
    const refresh = (cookie: string | undefined) =>
      call<Session>(`${url}/api/session/refresh`, { method: 'POST', headers: cookie ? { cookie } : {} });
    const second = await refresh(cookie1);
    expect(second.status).toBe(200);
    expect(second.body.sessionId).toBe(first.body.sessionId);
    expect(second.body.accessToken).not.toBe(first.body.accessToken);
    const cookie2 = refreshCookie(second.headers)!;
    expect(cookie2).not.toBe(cookie1);
    expect((await whoami(second.body.accessToken)).status).toBe(200);

    const reused = await refresh(cookie1);
    expect(reused.status).toBe(401);
    expect(reused.body).toMatchObject({ code: 'identity.refresh_token_reused' });
    await refusedByToy(second.body.accessToken, 'auth.token_revoked');
    expect((await refresh(cookie2)).body).toMatchObject({ code: 'identity.invalid_refresh_token' });
    expect((await refresh(undefined)).body).toMatchObject({ status: 400, code: 'identity.refresh_cookie_missing' });
  });

  it('after logout the same token gets 401 auth.token_revoked from every service', async () => {
    const session = (await login('root')).body;
    expect((await whoami(session.accessToken)).status).toBe(200);
    const out = await call(`${url}/api/session`, { method: 'DELETE', token: session.accessToken });
    expect(out.status).toBe(204);
    // MemoryBus delivers before the request returns; waitUntil keeps the test free of timing assumptions.
    await refusedByToy(session.accessToken, 'auth.token_revoked');
    expect((await whoami(session.accessToken)).status).toBe(401);
    expect((await call(`${url}/api/session`, { token: session.accessToken })).body).toMatchObject({ status: 401, code: 'auth.token_revoked' });
    // other sessions of the same user are untouched
    expect((await whoami(admin.accessToken)).status).toBe(200);
  });

  it('refuses tampered, expired, foreign-key and alg:none tokens with 401', async () => {
    const valid = (await login('root')).body.accessToken;
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, role: 'Admin', name: 'Mallory' })).toString('base64url')}.${signature}`;
    const flipped = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    const key = await app.get(SigningKeyStore).current();
    const expired = (await signAccessToken(key, { userId: String(claims['sub']), name: 'Root', role: 'Admin', sessionId: 'old' }, { ttlSeconds: 60, now: new Date(Date.now() - 3_600_000) })).token;
    const foreign = await (await createTestTokens()).issue('Admin', { userId: String(claims['sub']) });
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    for (const token of [tampered, flipped, expired, foreign, none]) {
      const answer = await whoami(token);
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ code: 'auth.invalid_token' });
    }
    expect((await whoami(valid)).status).toBe(200);
  });

  it('lets an Admin list users with filters and pagination; others get 403', async () => {
    const all = await call<{ items: UserView[]; total: number; limit: number; offset: number }>(`${url}/api/users?limit=2&offset=1`, { token: admin.accessToken });
    expect(all.status).toBe(200);
    expect(all.body.limit).toBe(2);
    expect(all.body.offset).toBe(1);
    expect(all.body.items).toHaveLength(2);
    const waiting = await call<{ items: UserView[]; total: number }>(`${url}/api/users?role=none&search=wants`, { token: admin.accessToken });
    expect(waiting.body.items.map((user) => user.name)).toEqual(['Wants Admin', 'Wants Finance']);
    expect(waiting.body.total).toBe(2);
    const bad = await call(`${url}/api/users?limit=501`, { token: admin.accessToken });
    expect(bad.body).toMatchObject({ status: 400, code: 'request.invalid', errors: [{ field: 'limit' }] });
    const user = (await login('Wants Finance')).body;
    expect((await call(`${url}/api/users`, { token: user.accessToken })).status).toBe(403);
  });

  it('shows a user to themself and to an Admin only', async () => {
    const user = (await login('Wants Finance')).body;
    expect((await call(`${url}/api/users/${user.user.userId}`, { token: user.accessToken })).body).toMatchObject({ name: 'Wants Finance' });
    expect((await call(`${url}/api/users/${admin.user.userId}`, { token: user.accessToken })).status).toBe(403);
    expect((await call(`${url}/api/users/${user.user.userId}`, { token: admin.accessToken })).status).toBe(200);
    expect((await call(`${url}/api/users/00000000-0000-4000-8000-000000000000`, { token: admin.accessToken })).body).toMatchObject({ status: 404, code: 'identity.user_not_found' });
  });

  it('grants a requested role (older tokens are refused everywhere), deactivates (all tokens refused, login refused) and reactivates (new logins only)', async () => {
    const before = (await login('Wants Finance')).body;
    const issuedSecond = Math.floor(Date.now() / 1000);
    // A role change refuses tokens issued in an earlier second (JWT iat has second precision).
    await waitUntil('the next second', () => Math.floor(Date.now() / 1000) > issuedSecond, { intervalMs: 50 });
    const granted = await call<UserView>(`${url}/api/users/${before.user.userId}`, { method: 'PATCH', token: admin.accessToken, body: { role: 'Finance' } });
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({ role: 'Finance', requestedRole: 'Finance' });
    await refusedByToy(before.accessToken, 'auth.token_revoked');
    const after = (await login('Wants Finance')).body;
    expect((await whoami(after.accessToken)).body).toMatchObject({ role: 'Finance' });

    const off = await call<UserView>(`${url}/api/users/${before.user.userId}`, { method: 'PATCH', token: admin.accessToken, body: { active: false } });
    expect(off.body).toMatchObject({ active: false });
    await refusedByToy(after.accessToken, 'auth.token_revoked');
    expect((await login('Wants Finance')).body).toMatchObject({ status: 401, code: 'identity.invalid_credentials' });
    // Reactivation: the user signs in again; the token from before the deactivation stays refused everywhere.
    const issuedBeforeReactivation = Math.floor(Date.now() / 1000);
    await waitUntil('the next second', () => Math.floor(Date.now() / 1000) > issuedBeforeReactivation, { intervalMs: 50 });
    const again = await call<UserView>(`${url}/api/users/${before.user.userId}`, { method: 'PATCH', token: admin.accessToken, body: { active: true } });
    expect(again.body).toMatchObject({ active: true, role: 'Finance' });
    await refusedByToy(after.accessToken, 'auth.token_revoked');
    const back = (await login('Wants Finance')).body;
    expect((await whoami(back.accessToken)).body).toMatchObject({ role: 'Finance' });
    const self = await call(`${url}/api/users/${admin.user.userId}`, { method: 'PATCH', token: admin.accessToken, body: { active: false } });
    expect(self.body).toMatchObject({ status: 409, code: 'identity.self_lockout' });
  });

  it('imports users.csv: 5 created, line 7 rejected with its reason; re-importing creates nothing; setup tokens work once', async () => {
    const importCsv = (token: string) =>
      call<ImportReport>(`${url}/api/users/import`, { method: 'POST', token, body: usersCsv, headers: { 'content-type': 'text/csv' } });
    const first = await importCsv(admin.accessToken);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ created: 5, existing: 0, rejected: [{ line: 7, reason: 'role is empty (expected Finance, CustomerSuccess, Sales or Admin)' }] });
    expect(first.body.setupTokens.map((entry) => entry.name)).toEqual(['User1', 'User2', 'User3', 'User4', 'email.anastassia@gmail.com']);
    const again = await importCsv(admin.accessToken);
    expect(again.body).toMatchObject({ created: 0, existing: 5, setupTokens: [], rejected: [{ line: 7 }] });

    const listed = await call<{ items: UserView[] }>(`${url}/api/users?search=user`, { token: admin.accessToken });
    const user3 = listed.body.items.find((user) => user.name === 'User3')!;
    expect(user3).toMatchObject({ role: 'CustomerSuccess', roleLabel: 'Customer Success', active: true, hasPassword: false });
    const setup = first.body.setupTokens.find((entry) => entry.name === 'User3')!;
    expect(setup.userId).toBe(user3.userId);
    expect(new Date(setup.expiresAt).getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);

    expect((await call(`${url}/api/users/password-setup`, { method: 'POST', body: { token: setup.token, password: 'short' } })).body).toMatchObject({ code: 'identity.weak_password' });
    const set = await call<UserView>(`${url}/api/users/password-setup`, { method: 'POST', body: { token: setup.token, password: PASSWORD } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ name: 'User3', hasPassword: true });
    expect((await login('user3')).body.user).toMatchObject({ role: 'CustomerSuccess' });
    const twice = await call(`${url}/api/users/password-setup`, { method: 'POST', body: { token: setup.token, password: PASSWORD } });
    expect(twice.body).toMatchObject({ status: 400, code: 'identity.invalid_setup_token' });

    const sales = (await login('user3')).body;
    expect((await importCsv(sales.accessToken)).status).toBe(403);
    const json = await call(`${url}/api/users/import`, { method: 'POST', token: admin.accessToken, body: { csv: usersCsv } });
    expect(json.body).toMatchObject({ status: 415, code: 'identity.unsupported_media_type' });
  });

  it('publishes UserRegistered to other services through its outbox (role "" until granted)', async () => {
    const token = admin.accessToken;
    await waitUntil('the toy service knows the imported users', async () => ((await call<string[]>(`${url}/toy/known-users`, { token })).body as string[]).includes('User4'));
    const rows = await db.query<{ name: string; role: string }>(`SELECT name, role FROM toy.known_users WHERE name IN ('Root', 'Wants Admin', 'User3') ORDER BY name`);
    expect(rows.rows).toEqual([
      { name: 'Root', role: 'Admin' },
      { name: 'User3', role: 'CustomerSuccess' },
      { name: 'Wants Admin', role: '' },
    ]);
  });

  it('never stores a password or hash in an event', async () => {
    const events = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM identity.events WHERE data::text ~ '\\$2[aby]\\$' OR data::text ILIKE '%password"%'`);
    expect(events.rows[0]?.n).toBe('0');
    const hashes = await db.query<{ h: string }>(`SELECT password_hash AS h FROM identity.credentials LIMIT 1`);
    expect(hashes.rows[0]?.h).toMatch(/^\$2b\$04\$/);
  });
});
