import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JSONWebKeySet } from 'jose';
import { randomUUID } from 'node:crypto';
import type { Role } from './roles.js';
import { TOKEN_ALGORITHM, TOKEN_AUDIENCE, TOKEN_ISSUER } from './token-verifier.js';

/** An Ed25519 signing key with its key id: private part for identity, public JWK for everyone. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  /** The public key as a JWK (with `kid`, `alg: EdDSA`, `use: sig`). */
  publicJwk: JWK;
}

/** What an access token says about its holder. */
export interface AccessTokenClaims {
  userId: string;
  name: string;
  /** `null` while the user awaits a granted role. */
  role: Role | null;
  sessionId: string;
}

/** Generates a fresh Ed25519 signing key (extractable, so identity can persist it). */
export async function generateSigningKey(kid: string = randomUUID()): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALGORITHM, { crv: 'Ed25519', extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: TOKEN_ALGORITHM, use: 'sig' };
  return { kid, privateKey, publicJwk };
}

/** The public key set to serve at `/.well-known/jwks.json`. */
export function toJwks(keys: readonly SigningKey[]): JSONWebKeySet {
  return { keys: keys.map((key) => key.publicJwk) };
}

/**
 * Signs an access token (compact JWS, EdDSA): `iss` {@link TOKEN_ISSUER}, `aud` {@link TOKEN_AUDIENCE},
 * `sub`, `name`, `role`, `sid`, a fresh `jti`, `iat` = `now`, `exp` = `now + ttlSeconds`.
 * @returns the token and its id.
 */
export async function signAccessToken(
  key: SigningKey,
  claims: AccessTokenClaims,
  options: { ttlSeconds: number; now?: Date; tokenId?: string },
): Promise<{ token: string; tokenId: string; expiresAt: Date }> {
  const now = options.now ?? new Date();
  const iat = Math.floor(now.getTime() / 1000);
  const tokenId = options.tokenId ?? randomUUID();
  const token = await new SignJWT({ name: claims.name, role: claims.role, sid: claims.sessionId })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: key.kid, typ: 'JWT' })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setSubject(claims.userId)
    .setJti(tokenId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + options.ttlSeconds)
    .sign(key.privateKey);
  return { token, tokenId, expiresAt: new Date((iat + options.ttlSeconds) * 1000) };
}
