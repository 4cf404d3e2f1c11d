import type { Event } from '@billing/event-store';

/** Stream of one login session: `session-<sessionId>` (holds its revocation). */
export const sessionStreamId = (sessionId: string): string => `session-${sessionId}`;

/** Why a session ended early. */
export type RevocationReason = 'logout' | 'refresh_token_reused';

/**
 * A session was revoked: every service refuses its tokens until `expiresAt` (the expiry of the
 * latest access token issued in it). Published as `identity.v1.SessionRevoked`.
 */
export type SessionRevoked = Event<
  'SessionRevoked',
  { sessionId: string; userId: string; tokenId: string; expiresAt: string; reason: RevocationReason; revokedAt: string }
>;
