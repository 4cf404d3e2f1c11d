import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { signAccessToken, type Principal, type Role, type SigningKey } from '@billing/auth';
import { quoteIdentifier, type SqlQueryable } from '@billing/database';
import { STREAM_DOES_NOT_EXIST, type Actor } from '@billing/event-store';
import { SERVICE_CONTEXT, type ServiceContext } from '@billing/service-kit';
import type { IdentitySettings } from '../config.js';
import { InvalidCredentialsError, InvalidRefreshTokenError, MissingRefreshCookieError, RefreshTokenReusedError } from '../errors.js';
import { IDENTITY_SETTINGS } from '../settings.token.js';
import { actorOf, hashToken, newOpaqueToken, UsersService, type UserView } from '../users/users.service.js';
import { LoginThrottle } from './login-throttle.js';
import { sessionStreamId, type RevocationReason, type SessionRevoked } from './session.events.js';
import { SigningKeyStore } from './signing-keys.js';

/** What a login or a refresh answers (the refresh token goes in a cookie, not in the body). */
export interface IssuedSession {
  accessToken: string;
  tokenType: 'Bearer';
  /** When the access token expires, UTC ISO 8601. */
  expiresAt: string;
  sessionId: string;
  user: UserView;
  /** The new refresh token and its expiry (for the cookie). */
  refresh: { token: string; expiresAt: Date };
}

interface SessionUser {
  user_id: string;
  name: string;
  role: Role | null;
  active: boolean;
}

/**
 * Sessions: login (bcrypt check, throttling), access tokens (EdDSA, `signAccessToken`), rotating
 * refresh tokens with reuse detection, and revocation (`SessionRevoked`, published to every service).
 */
@Injectable()
export class SessionsService {
  readonly #s: string;
  readonly throttle: LoginThrottle;

  constructor(
    @Inject(SERVICE_CONTEXT) private readonly service: ServiceContext,
    @Inject(IDENTITY_SETTINGS) private readonly settings: IdentitySettings,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(SigningKeyStore) private readonly keys: SigningKeyStore,
  ) {
    this.#s = quoteIdentifier(service.schema);
    this.throttle = new LoginThrottle(service.db, service.schema, settings.login);
  }

  /**
   * Logs in with a name (or e-mail, case-insensitive) and password from client `address`.
   * @throws TooManyAttemptsError (429) when the account or address is throttled (checked first);
   *   InvalidCredentialsError (401) for an unknown user, a wrong password, no password yet or a deactivated user.
   */
  async login(login: string, password: string, address: string, now = new Date()): Promise<IssuedSession> {
    const accountKey = login.trim().toLowerCase();
    await this.throttle.check(accountKey, address, now);
    const found = await this.service.db.query<SessionUser & { password_hash: string | null }>(
      `SELECT u.user_id, u.name, u.role, u.active, c.password_hash
         FROM ${this.#s}.users u LEFT JOIN ${this.#s}.credentials c ON c.user_id = u.user_id
        WHERE u.name_key = $1 OR u.email_key = $1
        ORDER BY (u.name_key = $1) DESC LIMIT 1`,
      [accountKey],
    );
    const user = found.rows[0];
    const matches = await this.users.hasher.verify(password, user?.password_hash ?? null);
    if (!user || !matches || !user.active) {
      await this.throttle.recordFailure(accountKey, address, now);
      throw new InvalidCredentialsError();
    }
    await this.throttle.recordSuccess(accountKey);
    const sessionId = randomUUID();
    const key = await this.keys.current(); // before the transaction: PGlite runs one statement stream at a time
    return this.service.db.transaction(async (tx) => {
      const refresh = this.#newRefresh(now);
      const access = await this.#sign(key, user, sessionId, now);
      await tx.query(
        `INSERT INTO ${this.#s}.sessions (session_id, user_id, created_at, refresh_expires_at, last_token_id, last_token_expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [sessionId, user.user_id, now.toISOString(), refresh.expiresAt.toISOString(), access.tokenId, access.expiresAt.toISOString()],
      );
      await tx.query(`INSERT INTO ${this.#s}.refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)`, [
        hashToken(refresh.token),
        sessionId,
        refresh.expiresAt.toISOString(),
      ]);
      return { accessToken: access.token, tokenType: 'Bearer', expiresAt: access.expiresAt.toISOString(), sessionId, user: await this.users.get(user.user_id, tx), refresh };
    });
  }

  /**
   * Exchanges a refresh token for a new access token and a new refresh token (rotation). The user's
   * current role goes in the new token. A refresh token used a second time revokes its session.
   * @throws MissingRefreshCookieError (400) without a token; InvalidRefreshTokenError (401) for an unknown, expired or revoked one, or a deactivated user;
   *   RefreshTokenReusedError (401) on reuse (the session is revoked first).
   */
  async refresh(token: string | undefined, now = new Date()): Promise<IssuedSession> {
    if (!token) throw new MissingRefreshCookieError();
    const key = await this.keys.current();
    const outcome = await this.service.store.transaction(async (store, tx) => {
      const found = await tx.query<SessionUser & { session_id: string; used_at: string | null; expires_at: string; revoked_at: string | null }>(
        `SELECT rt.session_id, rt.used_at::text AS used_at, rt.expires_at::text AS expires_at, s.revoked_at::text AS revoked_at, u.user_id, u.name, u.role, u.active
           FROM ${this.#s}.refresh_tokens rt
           JOIN ${this.#s}.sessions s ON s.session_id = rt.session_id
           JOIN ${this.#s}.users u ON u.user_id = s.user_id
          WHERE rt.token_hash = $1
          FOR UPDATE OF rt`,
        [hashToken(token)],
      );
      const row = found.rows[0];
      if (!row) return { kind: 'invalid' as const };
      if (row.used_at !== null) {
        if (row.revoked_at === null) {
          await this.#revokeIn(tx, store, row.session_id, row.user_id, undefined, 'refresh_token_reused', actorOf(undefined), now);
          return { kind: 'reused' as const };
        }
        return { kind: 'reused-again' as const };
      }
      if (row.revoked_at !== null || !row.active || new Date(row.expires_at).getTime() <= now.getTime()) return { kind: 'invalid' as const };
      await tx.query(`UPDATE ${this.#s}.refresh_tokens SET used_at = $2 WHERE token_hash = $1`, [hashToken(token), now.toISOString()]);
      const refresh = this.#newRefresh(now);
      const access = await this.#sign(key, row, row.session_id, now);
      await tx.query(`INSERT INTO ${this.#s}.refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)`, [
        hashToken(refresh.token),
        row.session_id,
        refresh.expiresAt.toISOString(),
      ]);
      await tx.query(`UPDATE ${this.#s}.sessions SET refresh_expires_at = $2, last_token_id = $3, last_token_expires_at = $4 WHERE session_id = $1`, [
        row.session_id,
        refresh.expiresAt.toISOString(),
        access.tokenId,
        access.expiresAt.toISOString(),
      ]);
      const session: IssuedSession = {
        accessToken: access.token,
        tokenType: 'Bearer',
        expiresAt: access.expiresAt.toISOString(),
        sessionId: row.session_id,
        user: await this.users.get(row.user_id, tx),
        refresh,
      };
      return { kind: 'ok' as const, session };
    });
    if (outcome.kind === 'reused') this.service.notifyOutbox();
    if (outcome.kind === 'reused' || outcome.kind === 'reused-again') throw new RefreshTokenReusedError();
    if (outcome.kind === 'invalid') throw new InvalidRefreshTokenError();
    return outcome.session;
  }

  /**
   * Logout: revokes the caller's session (`SessionRevoked` → every service refuses its tokens) and
   * its refresh tokens. Idempotent.
   */
  async logout(principal: Principal, now = new Date()): Promise<void> {
    const revoked = await this.service.store.transaction((store, tx) =>
      this.#revokeIn(tx, store, principal.sessionId, principal.userId, { tokenId: principal.tokenId, expiresAt: principal.expiresAt }, 'logout', actorOf(principal), now),
    );
    if (revoked) this.service.notifyOutbox();
  }

  /** Revokes a session in `tx`; false when it was revoked already. */
  async #revokeIn(
    tx: SqlQueryable,
    store: ServiceContext['store'],
    sessionId: string,
    userId: string,
    token: { tokenId: string; expiresAt: Date } | undefined,
    reason: RevocationReason,
    actor: Actor,
    now: Date,
  ): Promise<boolean> {
    const stream = sessionStreamId(sessionId);
    if (await store.streamExists(stream)) return false;
    const found = await tx.query<{ last_token_id: string; last_token_expires_at: string }>(
      `UPDATE ${this.#s}.sessions SET revoked_at = $2, revoke_reason = coalesce(revoke_reason, $3) WHERE session_id = $1
       RETURNING last_token_id, last_token_expires_at::text AS last_token_expires_at`,
      [sessionId, now.toISOString(), reason],
    );
    const session = found.rows[0];
    const lastExpiry = session ? new Date(session.last_token_expires_at) : undefined;
    const expiresAt = [lastExpiry, token?.expiresAt].filter((d): d is Date => d !== undefined).reduce((a, b) => (b > a ? b : a), now);
    const event: SessionRevoked = {
      type: 'SessionRevoked',
      data: { sessionId, userId, tokenId: token?.tokenId ?? session?.last_token_id ?? sessionId, expiresAt: expiresAt.toISOString(), reason, revokedAt: now.toISOString() },
    };
    await store.appendToStream(stream, [{ ...event, metadata: { actor } }], { expectedStreamVersion: STREAM_DOES_NOT_EXIST });
    return true;
  }

  #newRefresh(now: Date): { token: string; expiresAt: Date } {
    return { token: newOpaqueToken(), expiresAt: new Date(now.getTime() + this.settings.refreshTokenTtlDays * 86_400_000) };
  }

  #sign(key: SigningKey, user: SessionUser, sessionId: string, now: Date): Promise<{ token: string; tokenId: string; expiresAt: Date }> {
    return signAccessToken(key, { userId: user.user_id, name: user.name, role: user.role, sessionId }, { ttlSeconds: this.settings.accessTokenTtlSeconds, now });
  }
}
