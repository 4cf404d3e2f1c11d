import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Headers, Module, type DynamicModule } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Public, Roles } from '@billing/auth';
import { createTestTokens, type TestTokens } from '@billing/auth/testing';
import { PGliteExecutor, type SqlExecutor } from '@billing/database';
import { MemoryBus } from '@billing/messaging';
import { listen, type ServiceModuleOptions } from '@billing/platform';
import { ServiceCoreModule } from '@billing/service-kit';
import { startTestServices } from '@billing/service-kit/testing';
import { createGateway, REQUEST_ID_HEADER } from './gateway.js';

let tokens: TestTokens;

@Controller()
class UpstreamController {
  @Roles('Finance')
  @Get('api/bills')
  bills(@Headers(REQUEST_ID_HEADER) requestId: string | undefined): { from: string; requestId: string | undefined } {
    return { from: 'billing', requestId };
  }

  @Public()
  @Get('api/users/ping')
  ping(): { from: string } {
    return { from: 'identity' };
  }

  @Public()
  @Get('.well-known/jwks.json')
  jwks(): unknown {
    return tokens.jwks;
  }
}

@Module({})
class UpstreamModule {
  static register(options: ServiceModuleOptions): DynamicModule {
    return { module: UpstreamModule, controllers: [UpstreamController], imports: [ServiceCoreModule.forService({ ...options, name: 'upstream' })] };
  }
}

describe('api-gateway in front of a service (PGlite + MemoryBus)', () => {
  let db: SqlExecutor;
  let bus: MemoryBus;
  let upstream: NestExpressApplication;
  let gateway: NestExpressApplication;
  let limited: NestExpressApplication;
  let upstreamUrl = '';
  let url = '';
  let limitedUrl = '';

  beforeAll(async () => {
    db = await PGliteExecutor.open();
    bus = new MemoryBus();
    tokens = await createTestTokens();
    ({ app: upstream, url: upstreamUrl } = await startTestServices({
      services: [{ definition: { name: 'upstream', module: (r) => UpstreamModule.register(r) }, schema: 'upstream' }],
      db,
      bus,
      jwks: tokens.jwks,
      auth: { schema: 'upstream', groupId: 'upstream.auth' },
    }));
    const upstreams = { identity: upstreamUrl, customers: upstreamUrl, billing: upstreamUrl, approvals: 'http://127.0.0.1:9' };
    gateway = await createGateway({ upstreams, revocations: { db, bus, schema: 'gateway' }, logLevel: false });
    ({ url } = await listen(gateway, { port: 0, log: false }));
    limited = await createGateway({ upstreams, revocations: { db, bus, schema: 'gateway_limited', groupId: 'limited.auth' }, rateLimitPerMinute: 3, logLevel: false });
    ({ url: limitedUrl } = await listen(limited, { port: 0, log: false }));
  }, 60_000);

  afterAll(async () => {
    await limited?.close();
    await gateway?.close();
    await upstream?.close();
    await bus?.close();
    await db?.close();
  });

  it('routes to the owning service, forwarding and echoing a request id', async () => {
    const token = await tokens.issue('Finance');
    const response = await fetch(`${url}/api/bills`, { headers: { authorization: `Bearer ${token}`, [REQUEST_ID_HEADER]: 'req-42' } });
    expect(response.status).toBe(200);
    expect(response.headers.get(REQUEST_ID_HEADER)).toBe('req-42');
    expect(await response.json()).toEqual({ from: 'billing', requestId: 'req-42' });
    const generated = await fetch(`${url}/api/users/ping`);
    expect(generated.status).toBe(200);
    expect(generated.headers.get(REQUEST_ID_HEADER)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a bad token at the edge, and lets the service refuse a missing one or a wrong role', async () => {
    const tampered = `${(await tokens.issue('Finance')).slice(0, -4)}AAAA`;
    const edge = await fetch(`${url}/api/bills`, { headers: { authorization: `Bearer ${tampered}` } });
    expect(edge.status).toBe(401);
    expect(await edge.json()).toMatchObject({ code: 'auth.invalid_token' });
    expect((await fetch(`${url}/api/bills`)).status).toBe(401);
    expect((await fetch(`${url}/api/bills`, { headers: { authorization: `Bearer ${await tokens.issue('Sales')}` } })).status).toBe(403);
  });

  it('answers 404 for a path no service owns and 502 when the owner is down', async () => {
    expect((await fetch(`${url}/api/nothing-here`)).status).toBe(404);
    const down = await fetch(`${url}/api/approvals`);
    expect(down.status).toBe(502);
    expect(await down.json()).toMatchObject({ code: 'gateway.upstream_unavailable' });
  });

  it('rate-limits per client address with 429, Retry-After and problem details', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await fetch(`${limitedUrl}/api/users/ping`);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await last?.json()).toMatchObject({ status: 429, code: 'gateway.rate_limited' });
  });

  it('serves the merged OpenAPI document of the services that answered', async () => {
    const response = await fetch(`${url}/api/docs/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/bills', '/api/users/ping']));
  });
});
