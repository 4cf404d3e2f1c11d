import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { v4 as uuidv4, v5 as uuidv5 } from 'uuid';
import { ROLE_LABELS, type Principal, type Role } from '@billing/auth';
import { hasSqlState, quoteIdentifier, SqlState, type SqlQueryable } from '@billing/database';
import { isExpectedVersionConflictError, STREAM_DOES_NOT_EXIST, type Actor } from '@billing/event-store';
import { SERVICE_CONTEXT, type ServiceContext } from '@billing/service-kit';
import { IDENTITY_SETTINGS } from '../settings.token.js';
import type { IdentitySettings } from '../config.js';
import { PasswordHasher } from '../credentials/password-hasher.js';
import { assertStrongPassword } from '../credentials/password-policy.js';
import { DuplicateUserError, InvalidSetupTokenError, SelfLockoutError } from '../errors.js';
import { readUsersCsv, type RejectedRow } from './import/users-csv.js';
import { decideUser, evolveUser, initialUserState, UserAlreadyRegisteredError, UserNotFoundError, userStreamId, type UserCommand, type UserEvent, type UserState } from './user.decider.js';

/** Namespace of the UUID v5 ids of imported users (v5 of the lower-cased name): stable across topologies. */
export const IMPORTED_USER_NAMESPACE = '6f1c4a52-3b7e-5d1a-9c2f-1d8e4b7a0c35';
/** Lifetime of a password-setup token (issue 3: 7 days). */
export const SETUP_TOKEN_TTL_DAYS = 7;

/** A user as the API shows it (never a password or hash). Times are UTC ISO 8601. */
export interface UserView {
  userId: string;
  name: string;
  email: string | null;
  /** Granted role code, `null` while awaiting one. */
  role: Role | null;
  /** Human label of `role` (e.g. `Customer Success`), `null` with it. */
  roleLabel: string | null;
  /** The role asked for at sign-up, if any. */
  requestedRole: Role | null;
  active: boolean;
  /** Whether a password is set (imported users have none until they use their setup token). */
  hasPassword: boolean;
  registeredAt: string;
}

/** Filters of `GET /api/users`. */
export interface UserQuery {
  role?: Role | 'none';
  active?: boolean;
  search?: string;
  limit: number;
  offset: number;
}

/** The answer of an import. */
export interface ImportReport {
  created: number;
  existing: number;
  rejected: RejectedRow[];
  setupTokens: { userId: string; name: string; token: string; expiresAt: string }[];
}

interface UserRow {
  user_id: string;
  name: string;
  email: string | null;
  role: Role | null;
  requested_role: Role | null;
  active: boolean;
  has_password: boolean;
  registered_at: string;
}

const USER_COLUMNS = `user_id, name, email, role, requested_role, active, has_password, to_char(registered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS registered_at`;

function toView(row: UserRow): UserView {
  return {
    userId: row.user_id,
    name: row.name,
    email: row.email,
    role: row.role,
    roleLabel: row.role ? ROLE_LABELS[row.role] : null,
    requestedRole: row.requested_role,
    active: row.active,
    hasPassword: row.has_password,
    registeredAt: row.registered_at,
  };
}

/** Control flow of an import: the name is already registered (by `userId`). */
class ExistingUser extends Error {
  constructor(readonly userId: string) {
    super(`user ${userId} exists`);
  }
}

/** SHA-256 (hex) of an opaque token: what is stored instead of the token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A fresh opaque token: 32 random bytes, base64url. */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The event-store actor of a principal (or the system, for seeding and sign-up). */
export function actorOf(principal: Principal | undefined): Actor {
  return principal ? { userId: principal.userId, role: principal.role ?? 'none', name: principal.name } : { userId: 'identity', role: 'system', name: 'identity service' };
}

/**
 * The users use cases: every change goes through the user decider and is appended to
 * `user-<userId>` with the expected version, the `users` read model (and credentials) updated in the
 * same transaction; the outbox then publishes the integration events.
 */
@Injectable()
export class UsersService {
  readonly hasher: PasswordHasher;
  readonly #s: string;

  constructor(
    @Inject(SERVICE_CONTEXT) private readonly service: ServiceContext,
    @Inject(IDENTITY_SETTINGS) private readonly settings: IdentitySettings,
  ) {
    this.hasher = new PasswordHasher(settings.bcryptCost);
    this.#s = quoteIdentifier(service.schema);
  }

  /**
   * Runs a user command: load, decide, append (expected version), project, then `extra` — all in one
   * transaction, retried on a version conflict.
   * @returns the events appended (none when the command changed nothing).
   * @throws the decider's DomainErrors; DuplicateUserError on a name/e-mail unique violation.
   */
  async execute(command: UserCommand, actor: Actor, extra?: (tx: SqlQueryable, state: UserState, events: UserEvent[]) => Promise<void>, before?: (tx: SqlQueryable) => Promise<UserCommand>): Promise<UserEvent[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        const events = await this.service.store.transaction(async (store, tx) => {
          const effective = before ? await before(tx) : command;
          const stream = userStreamId(effective.data.userId);
          const { state, currentStreamVersion } = await store.aggregateStream<UserState, UserEvent>(stream, { evolve: evolveUser, initialState: initialUserState });
          const decided = decideUser(effective, state);
          if (decided.length > 0) {
            await store.appendToStream(
              stream,
              decided.map((event) => ({ ...event, metadata: { actor } })),
              { expectedStreamVersion: state.status === 'none' ? STREAM_DOES_NOT_EXIST : currentStreamVersion },
            );
            for (const event of decided) await this.#project(tx, event);
          }
          await extra?.(tx, state, decided);
          return decided;
        });
        if (events.length > 0) this.service.notifyOutbox();
        return events;
      } catch (error) {
        if (isExpectedVersionConflictError(error) && attempt < 5) continue;
        if (hasSqlState(error, SqlState.uniqueViolation)) {
          const constraint = String((error as { constraint?: unknown }).constraint ?? '');
          throw new DuplicateUserError(constraint.includes('email') ? 'email' : 'name');
        }
        throw error;
      }
    }
  }

  /** Updates the `users` read model for one event (in the append's transaction). */
  async #project(tx: SqlQueryable, event: UserEvent): Promise<void> {
    const s = this.#s;
    switch (event.type) {
      case 'UserRegistered': {
        const d = event.data;
        await tx.query(
          `INSERT INTO ${s}.users (user_id, name, name_key, email, email_key, role, requested_role, active, source, registered_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
          [d.userId, d.name, d.name.toLowerCase(), d.email, d.email?.toLowerCase() ?? null, d.role, d.requestedRole, d.active, d.source, d.registeredAt],
        );
        break;
      }
      case 'UserRoleChanged':
        await tx.query(`UPDATE ${s}.users SET role = $2, updated_at = $3 WHERE user_id = $1`, [event.data.userId, event.data.role, event.data.changedAt]);
        break;
      case 'UserDeactivated':
        await tx.query(`UPDATE ${s}.users SET active = false, updated_at = $2 WHERE user_id = $1`, [event.data.userId, event.data.deactivatedAt]);
        await tx.query(`UPDATE ${s}.sessions SET revoked_at = $2, revoke_reason = 'user_deactivated' WHERE user_id = $1 AND revoked_at IS NULL`, [
          event.data.userId,
          event.data.deactivatedAt,
        ]);
        break;
      case 'UserReactivated':
        await tx.query(`UPDATE ${s}.users SET active = true, updated_at = $2 WHERE user_id = $1`, [event.data.userId, event.data.reactivatedAt]);
        break;
      case 'UserPasswordSet':
        await tx.query(`UPDATE ${s}.users SET has_password = true, updated_at = $2 WHERE user_id = $1`, [event.data.userId, event.data.setAt]);
        break;
    }
  }

  async #assertUnique(tx: SqlQueryable, name: string, email: string | null): Promise<void> {
    const taken = await tx.query<{ name_taken: boolean; email_taken: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ${this.#s}.users WHERE name_key = $1) AS name_taken,
              EXISTS (SELECT 1 FROM ${this.#s}.users WHERE email_key = $2) AS email_taken`,
      [name.toLowerCase(), email?.toLowerCase() ?? null],
    );
    if (taken.rows[0]?.name_taken) throw new DuplicateUserError('name');
    if (taken.rows[0]?.email_taken) throw new DuplicateUserError('email');
  }

  /**
   * Sign-up (issue 3 policy): the first user of an empty installation becomes Admin; anyone else gets
   * no role and `requestedRole` records the wish. Registrations are serialised by a table lock so two
   * first sign-ups cannot both become Admin.
   * @throws WeakPasswordError (400), DuplicateUserError (409).
   */
  async signUp(input: { name: string; email?: string | undefined; password: string; requestedRole?: Role | undefined }, now = new Date()): Promise<UserView> {
    assertStrongPassword(input.password);
    const hash = await this.hasher.hash(input.password);
    const userId = uuidv4();
    const email = input.email ?? null;
    const command: UserCommand = {
      type: 'RegisterUser',
      data: { userId, name: input.name, email, requestedRole: input.requestedRole ?? null, grantedRole: null, hasPassword: true, source: 'signup', isFirstUser: false, now: now.toISOString() },
    };
    await this.execute(
      command,
      { userId, role: 'none', name: input.name },
      async (tx) => {
        await tx.query(`INSERT INTO ${this.#s}.credentials (user_id, password_hash, updated_at) VALUES ($1, $2, $3)`, [userId, hash, now.toISOString()]);
        await tx.query(`UPDATE ${this.#s}.users SET has_password = true WHERE user_id = $1`, [userId]);
      },
      async (tx) => {
        await tx.query(`LOCK TABLE ${this.#s}.users IN SHARE ROW EXCLUSIVE MODE`);
        await this.#assertUnique(tx, input.name, email);
        const count = await tx.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${this.#s}.users`);
        return { ...command, data: { ...command.data, isFirstUser: count.rows[0]?.n === '0' } };
      },
    );
    return this.get(userId);
  }

  /**
   * Registers a user with a granted role and, optionally, a password (demo seeding) — or none
   * (import: a setup token is issued instead). Idempotent per name: an existing name answers
   * `created: false` and changes nothing.
   */
  async registerGranted(
    input: { name: string; email: string | null; role: Role; password?: string; source: 'import' | 'demo' },
    actor: Actor,
    now = new Date(),
  ): Promise<{ created: boolean; userId: string; setupToken?: { token: string; expiresAt: string } }> {
    const userId = uuidv5(input.name.toLowerCase(), IMPORTED_USER_NAMESPACE);
    const hash = input.password === undefined ? undefined : await this.hasher.hash(input.password);
    let setupToken: { token: string; expiresAt: string } | undefined;
    const command: UserCommand = {
      type: 'RegisterUser',
      data: { userId, name: input.name, email: input.email, requestedRole: null, grantedRole: input.role, hasPassword: hash !== undefined, source: input.source, isFirstUser: false, now: now.toISOString() },
    };
    try {
      await this.execute(
        command,
        actor,
        async (tx, _state, events) => {
          if (events.length === 0) return;
          if (hash !== undefined) {
            await tx.query(`INSERT INTO ${this.#s}.credentials (user_id, password_hash, updated_at) VALUES ($1, $2, $3)`, [userId, hash, now.toISOString()]);
          } else {
            const token = newOpaqueToken();
            const expiresAt = new Date(now.getTime() + SETUP_TOKEN_TTL_DAYS * 86_400_000).toISOString();
            await tx.query(`INSERT INTO ${this.#s}.setup_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)`, [hashToken(token), userId, expiresAt]);
            setupToken = { token, expiresAt };
          }
        },
        async (tx) => {
          const found = await tx.query<{ user_id: string }>(`SELECT user_id FROM ${this.#s}.users WHERE name_key = $1 OR user_id = $2`, [input.name.toLowerCase(), userId]);
          if (found.rows[0]) throw new ExistingUser(found.rows[0].user_id);
          return command;
        },
      );
    } catch (error) {
      if (error instanceof ExistingUser) return { created: false, userId: error.userId };
      if (error instanceof DuplicateUserError && error.errors?.[0]?.field === 'name') return { created: false, userId };
      if (error instanceof UserAlreadyRegisteredError) return { created: false, userId };
      throw error;
    }
    return { created: true, userId, ...(setupToken ? { setupToken } : {}) };
  }

  /**
   * Imports a users CSV (`name,email,role`): each valid row registers an active user with its role
   * (granted by the importing Admin), no password and a one-time setup token (7 days). Rows are
   * independent: each is written atomically; a refused row is reported with its line and reason.
   * Re-importing creates nothing (existing names count as `existing`).
   */
  async importCsv(text: string, principal: Principal, now = new Date()): Promise<ImportReport> {
    const { rows, rejected } = readUsersCsv(text);
    const report: ImportReport = { created: 0, existing: 0, rejected: [...rejected], setupTokens: [] };
    for (const row of rows) {
      try {
        const result = await this.registerGranted({ name: row.name, email: row.email, role: row.role, source: 'import' }, actorOf(principal), now);
        if (result.created) {
          report.created++;
          if (result.setupToken) report.setupTokens.push({ userId: result.userId, name: row.name, ...result.setupToken });
        } else report.existing++;
      } catch (error) {
        if (error instanceof DuplicateUserError) report.rejected.push({ line: row.line, reason: `email "${row.email}" is already used by another user` });
        else throw error;
      }
    }
    report.rejected.sort((a, b) => a.line - b.line);
    return report;
  }

  /**
   * Sets the password of an imported user with their one-time setup token.
   * @throws WeakPasswordError (400), InvalidSetupTokenError (400: unknown, used, expired, or user deactivated).
   */
  async setPasswordWithToken(token: string, password: string, now = new Date()): Promise<UserView> {
    assertStrongPassword(password);
    const found = await this.service.db.query<{ user_id: string }>(
      `SELECT user_id FROM ${this.#s}.setup_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`,
      [hashToken(token), now.toISOString()],
    );
    const userId = found.rows[0]?.user_id;
    if (!userId) throw new InvalidSetupTokenError();
    const hash = await this.hasher.hash(password);
    try {
      await this.execute({ type: 'SetUserPassword', data: { userId, via: 'setup_token', now: now.toISOString() } }, { userId, role: 'none' }, async (tx) => {
        const used = await tx.query(`UPDATE ${this.#s}.setup_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL`, [hashToken(token), now.toISOString()]);
        if (used.rowCount !== 1) throw new InvalidSetupTokenError();
        await tx.query(
          `INSERT INTO ${this.#s}.credentials (user_id, password_hash, updated_at) VALUES ($1, $2, $3)
           ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated_at = EXCLUDED.updated_at`,
          [userId, hash, now.toISOString()],
        );
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'identity.user_deactivated') throw new InvalidSetupTokenError();
      throw error;
    }
    return this.get(userId);
  }

  /**
   * An Admin changes a user's role and/or deactivates them (`UserRoleChanged`, `UserDeactivated`).
   * @throws UserNotFoundError (404), UserDeactivatedError (409, role change of a deactivated user),
   *   SelfLockoutError (409). `active: true` on a deactivated user reactivates it (`UserReactivated`).
   */
  async update(userId: string, change: { role?: Role | undefined; active?: boolean | undefined }, principal: Principal, now = new Date()): Promise<UserView> {
    if (userId === principal.userId && (change.active === false || (change.role !== undefined && change.role !== 'Admin'))) throw new SelfLockoutError();
    const current = await this.get(userId);
    const actor = actorOf(principal);
    // Reactivate first, so that a role change in the same request applies to an active user.
    if (change.active === true && !current.active) await this.execute({ type: 'ReactivateUser', data: { userId, now: now.toISOString() } }, actor);
    if (change.role !== undefined) await this.execute({ type: 'ChangeUserRole', data: { userId, role: change.role, now: now.toISOString() } }, actor);
    if (change.active === false) await this.execute({ type: 'DeactivateUser', data: { userId, now: now.toISOString() } }, actor);
    return this.get(userId);
  }

  /** @throws UserNotFoundError (404). */
  async get(userId: string, db: SqlQueryable = this.service.db): Promise<UserView> {
    const rows = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM ${this.#s}.users WHERE user_id = $1`, [userId]);
    const row = rows.rows[0];
    if (!row) throw new UserNotFoundError(userId);
    return toView(row);
  }

  /** Users by name, filtered (role code or `none`, active flag, `search` in name or e-mail), paginated. */
  async list(query: UserQuery): Promise<{ items: UserView[]; total: number; limit: number; offset: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.role === 'none') where.push('role IS NULL');
    else if (query.role !== undefined) {
      params.push(query.role);
      where.push(`role = $${params.length}`);
    }
    if (query.active !== undefined) {
      params.push(query.active);
      where.push(`active = $${params.length}`);
    }
    if (query.search) {
      params.push(`%${query.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(name_key LIKE $${params.length} OR coalesce(email_key, '') LIKE $${params.length})`);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = await this.service.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${this.#s}.users ${clause}`, params);
    const rows = await this.service.db.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM ${this.#s}.users ${clause} ORDER BY name_key LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.limit, query.offset],
    );
    return { items: rows.rows.map(toView), total: Number(total.rows[0]?.n ?? 0), limit: query.limit, offset: query.offset };
  }

  /** Number of users (demo seeding runs only on an empty installation). */
  async count(): Promise<number> {
    const rows = await this.service.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${this.#s}.users`);
    return Number(rows.rows[0]?.n ?? 0);
  }
}
