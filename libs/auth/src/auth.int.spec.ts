import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Module, Post } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import { SignJWT, base64url } from 'jose';
import { encodeIntegrationEvent, SYSTEM_ACTOR, TOPICS } from '@billing/contracts';
import { MemoryBus } from '@billing/messaging';
import { openPGliteTestDatabase, type TestDatabase } from '@billing/messaging/testing';
import { createHttpApp, listen, Public } from '@billing/platform';
import { AuthModule, Authenticated, CurrentUser, listRoutes, Roles, type Principal } from './index.js';
import { createTestTokens, type TestTokens } from './testing.js';

@Controller('things')
class ThingsController {
  @Public()
  @Get('public')
  open(@CurrentUser() user: Principal | undefined): { user: string | null } {
    return { user: user?.userId ?? null };
  }

  @Authenticated()
  @Get('mine')
  mine(@CurrentUser() user: Principal): { user: string; role: string | null } {
    return { user: user.userId, role: user.role };
  }

  @Roles('Finance', 'Admin')
  @Post('finance')
  finance(): { ok: true } {
    return { ok: true };
  }

  @Get('forgotten')
  forgotten(): { leaked: true } {
    return { leaked: true };
  }
}

describe('AuthModule guard over HTTP (PGlite + MemoryBus)', () => {
  let database: TestDatabase;
  let bus: MemoryBus;
  let app: NestExpressApplication;
  let url = '';
  let tokens: TestTokens;

  const call = async (method: string, path: string, token?: string) =>
    fetch(`${url}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

  const publishIdentity = (type: 'identity.v1.SessionRevoked' | 'identity.v1.UserDeactivated' | 'identity.v1.UserRoleChanged', data: object, streamId: string) =>
    bus.publish(TOPICS.identity, [
      {
        key: streamId,
        value: encodeIntegrationEvent({
          type,
          data: data as never,
          eventId: randomUUID(),
          occurredAt: new Date(),
          streamId,
          streamVersion: 1n,
          correlationId: randomUUID(),
          causationId: randomUUID(),
          actor: SYSTEM_ACTOR,
        }),
        headers: {},
      },
    ]);

  beforeAll(async () => {
    database = await openPGliteTestDatabase('auth');
    bus = new MemoryBus();
    tokens = await createTestTokens();
    @Module({
      imports: [AuthModule.forRoot({ keys: { jwks: tokens.jwks }, revocations: { bus, db: database.db, schema: database.schema, groupId: 'test.auth' } })],
      controllers: [ThingsController],
    })
    class TestModule {}
    app = await createHttpApp(TestModule, { logLevel: false });
    ({ url } = await listen(app, { port: 0, log: false }));
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await bus?.close();
    await database?.close();
  });

  it('lists every route with its rule, and the route without one has none', () => {
    expect(listRoutes(app).map((r) => [r.method, r.path, r.rule?.kind])).toEqual([
      ['POST', '/things/finance', 'roles'],
      ['GET', '/things/forgotten', undefined],
      ['GET', '/things/mine', 'authenticated'],
      ['GET', '/things/public', 'public'],
    ]);
  });

  it('denies a route that declares no access rule to everyone, even an Admin', async () => {
    const response = await call('GET', '/things/forgotten', await tokens.issue('Admin'));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: 'auth.no_access_rule' });
  });

  it('applies public, authenticated and role rules', async () => {
    expect((await call('GET', '/things/public')).status).toBe(200);
    expect((await call('GET', '/things/mine')).status).toBe(401);
    const sales = await tokens.issue('Sales', { userId: 'u-sales' });
    expect(await (await call('GET', '/things/mine', sales)).json()).toEqual({ user: 'u-sales', role: 'Sales' });
    expect(await (await call('GET', '/things/public', sales)).json()).toEqual({ user: 'u-sales' });
    const forbidden = await call('POST', '/things/finance', sales);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await forbidden.json()).toMatchObject({ code: 'auth.forbidden' });
    expect((await call('POST', '/things/finance', await tokens.issue('Finance'))).status).toBe(201);
    expect((await call('POST', '/things/finance', await tokens.issue(null))).status).toBe(403);
  });

  it('refuses tampered, expired, foreign-key and alg:none tokens with 401 auth.invalid_token', async () => {
    const good = await tokens.issue('Finance');
    const [header, payload, signature] = good.split('.') as [string, string, string];
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as Record<string, unknown>;
    const tampered = `${header}.${base64url.encode(JSON.stringify({ ...claims, role: 'Admin' }))}.${signature}`;
    const expired = await tokens.issue('Finance', { now: new Date(Date.now() - 3_600_000), ttlSeconds: 60 });
    const foreign = await (await createTestTokens()).issue('Finance');
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${payload}.`;
    const hs256 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'.repeat(32)));
    for (const token of [tampered, expired, foreign, none, hs256, 'not-a-jwt']) {
      const response = await call('POST', '/things/finance', token);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'auth.invalid_token' });
    }
  });

  it('refuses a logged-out session, a deactivated user and a token older than a role change, also after a restart of the list', async () => {
    const session = randomUUID();
    const loggedOut = await tokens.issue('Finance', { userId: 'u-1', sessionId: session });
    const otherSession = await tokens.issue('Finance', { userId: 'u-1' });
    expect((await call('GET', '/things/mine', loggedOut)).status).toBe(200);
    await publishIdentity('identity.v1.SessionRevoked', { userId: 'u-1', sessionId: session, tokenId: 't', expiresAt: { seconds: BigInt(Math.floor(Date.now() / 1000) + 900), nanos: 0 } }, 'user-u-1');
    const revoked = await call('GET', '/things/mine', loggedOut);
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toMatchObject({ code: 'auth.token_revoked' });
    expect((await call('GET', '/things/mine', otherSession)).status).toBe(200);

    const deactivated = await tokens.issue('Sales', { userId: 'u-2' });
    await publishIdentity('identity.v1.UserDeactivated', { userId: 'u-2' }, 'user-u-2');
    expect((await call('GET', '/things/mine', deactivated)).status).toBe(401);

    const before = await tokens.issue('Sales', { userId: 'u-3', now: new Date(Date.now() - 5_000) });
    await publishIdentity('identity.v1.UserRoleChanged', { userId: 'u-3', role: 'Finance', previousRole: 'Sales' }, 'user-u-3');
    expect((await call('GET', '/things/mine', before)).status).toBe(401);
    const after = await tokens.issue('Finance', { userId: 'u-3', now: new Date(Date.now() + 1_000) });
    expect((await call('GET', '/things/mine', after)).status).toBe(200);

    // The list is persisted: a fresh one loaded from the schema refuses the same tokens.
    const { RevocationList } = await import('./revocations.js');
    const reloaded = new RevocationList();
    await reloaded.load(database.db, database.schema);
    expect(reloaded.isRevoked({ userId: 'u-1', sessionId: session, issuedAt: new Date() })).toBe(true);
    expect(reloaded.isRevoked({ userId: 'u-2', sessionId: randomUUID(), issuedAt: new Date() })).toBe(true);
    expect(reloaded.isRevoked({ userId: 'u-3', sessionId: randomUUID(), issuedAt: new Date(Date.now() - 10_000) })).toBe(true);
    expect(reloaded.isRevoked({ userId: 'u-4', sessionId: randomUUID(), issuedAt: new Date() })).toBe(false);
  });
});
