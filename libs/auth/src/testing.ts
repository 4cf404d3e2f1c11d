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
