import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { InvalidTokenError } from './errors.js';
import type { Principal } from './principal.js';
import { isRole } from './roles.js';

/** `iss` of every access token the identity service signs. */
export const TOKEN_ISSUER = 'billing-identity';
/** `aud` of every access token: the platform's services. */
export const TOKEN_AUDIENCE = 'billing-platform';
/** The only accepted signature algorithm (Ed25519, RFC 8037). `none`, HS* and RS* are refused. */
export const TOKEN_ALGORITHM = 'EdDSA';

/**
 * Where a service gets the identity service's public keys:
 * - `jwksUrl`: identity's `/.well-known/jwks.json`, fetched once and again only for an unknown key id
 *   (so no call to identity per request);
 * - `jwks`: a fixed key set (configuration, tests);
 * - `resolveJwks`: an in-process source (the embedded runtime asks the identity module directly).
 */
export type PublicKeySource = { jwksUrl: string } | { jwks: JSONWebKeySet } | { resolveJwks: () => Promise<JSONWebKeySet> };

/** In-process key set: cached, re-resolved when a token names a key id it does not hold. */
function resolvedKeySet(resolve: () => Promise<JSONWebKeySet>): JWTVerifyGetKey {
  let keys: JSONWebKeySet | undefined;
  let local: JWTVerifyGetKey | undefined;
  return async (header, token) => {
    if (!keys || !keys.keys.some((key) => key.kid === header.kid)) {
      keys = await resolve();
      local = createLocalJWKSet(keys);
    }
    return local!(header, token);
  };
}

/**
 * Verifies access tokens locally with the identity service's public keys: signature (EdDSA only),
 * `iss`, `aud`, `exp`/`nbf` (30 s clock tolerance), and the claims a {@link Principal} needs. It does
 * not check revocation: {@link RevocationList} does. A verified token is remembered until it expires
 * (up to {@link TokenVerifier.cacheSize} tokens), so its signature is checked once per process.
 */
export class TokenVerifier {
  readonly #keys: JWTVerifyGetKey;
  /** Verified tokens until they expire: a token's signature is checked once, not on every request. */
  readonly #verified = new Map<string, Principal>();
  /** Most tokens remembered (oldest forgotten first). */
  static readonly cacheSize = 10_000;

  constructor(source: PublicKeySource) {
    if ('jwksUrl' in source) this.#keys = createRemoteJWKSet(new URL(source.jwksUrl), { cooldownDuration: 30_000 });
    else if ('jwks' in source) this.#keys = createLocalJWKSet(source.jwks);
    else this.#keys = resolvedKeySet(source.resolveJwks);
  }

  /**
   * @param token a compact JWS (the bearer token).
   * @param now the time to check expiry against (default: the clock).
   * @returns the token's principal.
   * @throws InvalidTokenError for any malformed, tampered, expired, foreign-key or wrong-algorithm token.
   */
  async verify(token: string, now?: Date): Promise<Principal> {
    const cached = this.#verified.get(token);
    if (cached && (now ?? new Date()).getTime() < cached.expiresAt.getTime()) return cached;
    const principal = await this.#verify(token, now);
    if (!now) {
      if (this.#verified.size >= TokenVerifier.cacheSize) this.#verified.delete(this.#verified.keys().next().value as string);
      this.#verified.set(token, principal);
    }
    return principal;
  }

  async #verify(token: string, now?: Date): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#keys, {
        algorithms: [TOKEN_ALGORITHM],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        clockTolerance: 30,
        ...(now ? { currentDate: now } : {}),
        requiredClaims: ['sub', 'sid', 'jti', 'iat', 'exp'],
      }));
    } catch (error) {
      throw new InvalidTokenError(error);
    }
    const role = payload['role'] ?? null;
    if (role !== null && !isRole(role)) throw new InvalidTokenError(new Error(`unknown role ${String(role)}`));
    const sid = payload['sid'];
    if (typeof sid !== 'string' || typeof payload.sub !== 'string' || typeof payload.jti !== 'string') throw new InvalidTokenError();
    return {
      userId: payload.sub,
      name: typeof payload['name'] === 'string' ? payload['name'] : payload.sub,
      role,
      sessionId: sid,
      tokenId: payload.jti,
      issuedAt: new Date(payload.iat! * 1000),
      expiresAt: new Date(payload.exp! * 1000),
      token,
    };
  }
}
