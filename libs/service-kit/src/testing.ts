/**
 * `@billing/service-kit/testing`: services started for a test, the way the composition roots start
 * them ({@link startServices}), with a test key set, a free port and silent logs.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { JSONWebKeySet } from 'jose';
import type { Listening } from '@billing/platform';
import { startServices, type StartServicesOptions } from './composition.js';

/** Options of {@link startTestServices}: those of `startServices` without the test-invariant ones. */
export interface TestServicesOptions extends Omit<StartServicesOptions, 'keys' | 'auth' | 'port' | 'log'> {
  /** The public keys tokens are verified with (`createTestTokens().jwks` of `@billing/auth/testing`). */
  jwks: JSONWebKeySet;
  /** Schema and group of the revocation list (default: `<first service's schema>` and `<it>.auth`). */
  auth?: StartServicesOptions['auth'];
}

/**
 * Starts `services` on `db` and `bus` on a free port with logging off, verifying tokens with `jwks`.
 * Close the returned application (and then the bus and database) in `afterAll`.
 */
export async function startTestServices(options: TestServicesOptions): Promise<{ app: NestExpressApplication } & Listening> {
  const schema = options.services[0]?.schema ?? 'test';
  return startServices({
    ...options,
    keys: { jwks: options.jwks },
    auth: options.auth ?? { schema, groupId: `${schema}.auth` },
    port: 0,
    http: { logLevel: false, ...options.http },
    log: false,
  });
}
