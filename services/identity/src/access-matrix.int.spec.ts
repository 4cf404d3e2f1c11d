import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { listRoutes } from '@billing/auth';
import { checkAccessMatrix, createTestTokens, uncoveredRoutes, type MatrixRow, type TestTokens } from '@billing/auth/testing';
import { PGliteExecutor, type SqlExecutor } from '@billing/database';
import { MemoryBus } from '@billing/messaging';
import { startTestServices } from '@billing/service-kit/testing';
import { identityAccessMatrix } from './access-matrix.js';
import { DEFAULT_IDENTITY_SETTINGS } from './config.js';
import { createIdentityService } from './identity.module.js';

describe('identity role × endpoint matrix', () => {
  let db: SqlExecutor;
  let bus: MemoryBus;
  let app: NestExpressApplication;
  let url = '';
  let tokens: TestTokens;

  beforeAll(async () => {
    db = await PGliteExecutor.open();
    bus = new MemoryBus({ redeliveryDelayMs: 5 });
    tokens = await createTestTokens();
    ({ app, url } = await startTestServices({
      // throttling off the table: the matrix makes many failed logins from one address
      services: [{ definition: createIdentityService({ ...DEFAULT_IDENTITY_SETTINGS, bcryptCost: 4, login: { maxFailuresPerAccount: 1000, maxFailuresPerAddress: 1000, windowSeconds: 60 } }), schema: 'identity' }],
      db,
      bus,
      jwks: tokens.jwks,
      auth: { schema: 'identity', groupId: 'identity.auth' },
    }));
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await bus?.close();
    await db?.close();
  });

  // `GET /health` belongs to the platform (every application has it), not to identity's rows.
  const rows: MatrixRow[] = [...identityAccessMatrix, { method: 'GET', route: '/health', access: 'anyone' }];

  it('has a row for every route, and every route declares an access rule', () => {
    expect(uncoveredRoutes(listRoutes(app), rows)).toEqual([]);
    expect(rows).toHaveLength(listRoutes(app).length);
  });

  it('lets each role and the anonymous caller through or refuses them (401/403) as the matrix says', async () => {
    const mismatches = await checkAccessMatrix(url, rows, (role) => tokens.issue(role));
    expect(mismatches).toEqual([]);
  });
});
