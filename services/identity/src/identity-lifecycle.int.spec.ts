import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { PGliteExecutor, type SqlExecutor } from '@billing/database';
import { MemoryBus } from '@billing/messaging';
import { startServices } from '@billing/service-kit';
import { DEFAULT_IDENTITY_SETTINGS, type IdentitySettings } from './config.js';
import { DEMO_PASSWORD, DEMO_USERS } from './demo-users.js';
import { createIdentityService } from './identity.module.js';
import { identityMigrations } from './migrations.js';
import { LoginThrottle } from './sessions/login-throttle.js';
import { SigningKeyStore } from './sessions/signing-keys.js';
import { TooManyAttemptsError } from './errors.js';
import { call } from './testing/http.js';
import { migrate } from '@billing/database';

const demoSettings: IdentitySettings = { ...DEFAULT_IDENTITY_SETTINGS, bcryptCost: 4, demoUsers: true };

describe('identity across restarts: persisted signing keys, rotation, demo users', () => {
  let db: SqlExecutor;
  let bus: MemoryBus;
  let app: NestExpressApplication | undefined;
  let url = '';

  const start = async (settings: IdentitySettings): Promise<void> => {
    ({ app, url } = await startServices({
      services: [{ definition: createIdentityService(settings), schema: 'identity' }],
      db,
      bus,
      keys: 'self',
      auth: { schema: 'identity', groupId: 'identity.auth' },
      port: 0,
      http: { logLevel: false },
      log: false,
    }));
  };
  const jwksKids = async () => (await call<{ keys: { kid: string }[] }>(`${url}/.well-known/jwks.json`)).body.keys.map((key) => key.kid);

  beforeAll(async () => {
    db = await PGliteExecutor.open();
    bus = new MemoryBus({ redeliveryDelayMs: 5 });
  });

  afterAll(async () => {
    await app?.close();
    await bus?.close();
    await db?.close();
  });

  it('seeds one demo user per role into an empty installation, with the documented password', async () => {
    await start(demoSettings);
    for (const demo of DEMO_USERS) {
      const session = await call<{ user: { role: string } }>(`${url}/api/session`, { method: 'POST', body: { name: demo.name, password: DEMO_PASSWORD } });
      expect(session.status).toBe(201);
      expect(session.body.user.role).toBe(demo.role);
    }
    expect(DEMO_USERS.map((demo) => demo.name)).toEqual(['demo-finance', 'demo-customersuccess', 'demo-sales', 'demo-admin']);
  }, 60_000);

  it('keeps its signing key across a restart (old tokens still verify) and does not seed again', async () => {
    const before = await jwksKids();
    const token = (await call<{ accessToken: string }>(`${url}/api/session`, { method: 'POST', body: { name: 'demo-sales', password: DEMO_PASSWORD } })).body.accessToken;
    await app!.close();
    app = undefined;
    await start(demoSettings);
    expect(await jwksKids()).toEqual(before);
    expect((await call(`${url}/api/session`, { token })).status).toBe(200);
    const count = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM identity.users');
    expect(count.rows[0]?.n).toBe('4');
  }, 60_000);

  it('rotates: new tokens are signed with the new key, the old public key stays in the JWKS', async () => {
    const oldToken = (await call<{ accessToken: string }>(`${url}/api/session`, { method: 'POST', body: { name: 'demo-admin', password: DEMO_PASSWORD } })).body.accessToken;
    const [oldKid] = await jwksKids();
    const rotated = await app!.get(SigningKeyStore).rotate();
    expect(rotated.kid).not.toBe(oldKid);
    expect(await jwksKids()).toEqual([rotated.kid, oldKid]);
    const newToken = (await call<{ accessToken: string }>(`${url}/api/session`, { method: 'POST', body: { name: 'demo-admin', password: DEMO_PASSWORD } })).body.accessToken;
    expect(JSON.parse(Buffer.from(newToken.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'EdDSA', kid: rotated.kid });
    for (const token of [oldToken, newToken]) expect((await call(`${url}/api/session`, { token })).status).toBe(200);
  }, 60_000);
});

describe('login throttle (counted in the database, so across processes)', () => {
  let db: SqlExecutor;
  beforeAll(async () => {
    db = await PGliteExecutor.open();
    await migrate(db, 'throttle', identityMigrations);
  });
  afterAll(async () => db?.close());

  const retryAfterOf = async (check: Promise<void>): Promise<number | undefined> => {
    try {
      await check;
      return undefined;
    } catch (error) {
      if (error instanceof TooManyAttemptsError) return error.retryAfterSeconds;
      throw error;
    }
  };

  it('limits failures per client address across accounts, and lets them expire with the window', async () => {
    const throttle = new LoginThrottle(db, 'throttle', { maxFailuresPerAccount: 5, maxFailuresPerAddress: 3, windowSeconds: 600 });
    const t0 = new Date('2026-11-21T10:00:00Z');
    for (const [i, account] of ['a', 'b', 'c'].entries()) await throttle.recordFailure(account, '10.0.0.1', new Date(t0.getTime() + i * 60_000));
    const at = new Date(t0.getTime() + 180_000);
    expect(await retryAfterOf(throttle.check('d', '10.0.0.1', at))).toBe(420); // the oldest failure leaves the window at t0 + 600 s
    expect(await retryAfterOf(throttle.check('d', '10.0.0.2', at))).toBeUndefined();
    expect(await retryAfterOf(throttle.check('d', '10.0.0.1', new Date(t0.getTime() + 601_000)))).toBeUndefined();
  });

  it('limits failures per account across addresses; a success clears the account', async () => {
    const throttle = new LoginThrottle(db, 'throttle', { maxFailuresPerAccount: 2, maxFailuresPerAddress: 100, windowSeconds: 600 });
    const t0 = new Date('2026-11-21T12:00:00Z');
    await throttle.recordFailure('victim', '10.1.0.1', t0);
    await throttle.recordFailure('victim', '10.1.0.2', t0);
    expect(await retryAfterOf(throttle.check('victim', '10.1.0.3', new Date(t0.getTime() + 1_000)))).toBe(599);
    await throttle.recordSuccess('victim');
    expect(await retryAfterOf(throttle.check('victim', '10.1.0.3', new Date(t0.getTime() + 1_000)))).toBeUndefined();
  });
});

describe('identity outbox', () => {
  it('maps its domain events to identity.v1 and skips a foreign-shaped event instead of blocking', async () => {
    const { identityOutbox } = await import('./outbox.js');
    const metadata = { eventId: '8d0f6a4e-2f1b-4c57-9a4e-3c2d1b0a9f8e', streamName: 'user-42', streamPosition: 1n, recordedAt: new Date('2026-11-21T10:00:00Z') };
    const foreign = { type: 'UserRegistered', data: { email: 'ada@example.com' }, metadata } as never;
    expect(identityOutbox(foreign)).toBeNull();
    const own = { type: 'UserRegistered', data: { userId: 'u-42', name: 'Ada', email: null, role: null, requestedRole: 'Finance', active: true, source: 'signup', registeredAt: '2026-11-21T10:00:00Z' }, metadata } as never;
    expect(identityOutbox(own)).toMatchObject({ topic: 'identity.user-events.v1', message: { key: 'user-42' } });
    expect(identityOutbox({ type: 'UserPasswordSet', data: { userId: 'u-42', setAt: '2026-11-21T10:00:00Z', via: 'signup' }, metadata } as never)).toBeNull();
  });
});
