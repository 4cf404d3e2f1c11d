import type { Role } from './roles.js';

/**
 * The authenticated caller of a request, read from a verified access token. Attached to the request by
 * {@link AuthGuard}; get it with `@CurrentUser()`.
 */
export interface Principal {
  /** The user id (JWT `sub`). */
  userId: string;
  /** Display name (JWT `name`). */
  name: string;
  /** The granted role (JWT `role`); `null` for a user whose requested role no Admin has granted yet. */
  role: Role | null;
  /** The login session the token belongs to (JWT `sid`); logout revokes it. */
  sessionId: string;
  /** The token's own id (JWT `jti`). */
  tokenId: string;
  /** When the token was issued, UTC (JWT `iat`, second precision). */
  issuedAt: Date;
  /** When it expires, UTC (JWT `exp`). */
  expiresAt: Date;
  /** The raw bearer token, to forward to another service on the caller's behalf. */
  token: string;
}
