import { decodeIntegrationEvent, TOPICS, type DecodedIntegrationEvent } from '@billing/contracts';
import { migrate, quoteIdentifier, type Migration, type SqlExecutor, type SqlQueryable } from '@billing/database';
import { ConsumerRunner, handleOnce, migrateProcessedMessages, type BusMessage, type MessageBus, type RunnerLogger } from '@billing/messaging';
import type { Principal } from './principal.js';

/** Tables of the revocation list, in the schema of the service that consumes (one per service). */
export const revocationMigrations: readonly Migration[] = Object.freeze([
  {
    id: 'auth_001_revocations',
    sql: `
      CREATE TABLE IF NOT EXISTS {schema}.auth_revoked_sessions (
        session_id text PRIMARY KEY,
        user_id    text NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE TABLE IF NOT EXISTS {schema}.auth_user_states (
        user_id     text PRIMARY KEY,
        not_before  timestamptz,
        deactivated boolean NOT NULL DEFAULT false
      );`,
  },
]);

/** What revokes tokens: these identity events. */
const REVOKING = new Set(['identity.v1.SessionRevoked', 'identity.v1.UserDeactivated', 'identity.v1.UserReactivated', 'identity.v1.UserRoleChanged']);

/**
 * The tokens a service must refuse although they verify: sessions logged out (`SessionRevoked`),
 * users deactivated (`UserDeactivated`: every token, until `UserReactivated`, after which only newer
 * tokens are accepted), and tokens issued before a user's role changed
 * (`UserRoleChanged`: a token carries its role, so older ones are refused and the user signs in again).
 * Kept in memory for the per-request check and persisted in the service's schema, so a restart
 * forgets nothing.
 */
export class RevocationList {
  readonly #sessions = new Map<string, Date>();
  readonly #users = new Map<string, { notBefore: Date | null; deactivated: boolean }>();

  /** Whether a verified token must nevertheless be refused. */
  isRevoked(principal: Pick<Principal, 'userId' | 'sessionId' | 'issuedAt'>): boolean {
    if (this.#sessions.has(principal.sessionId)) return true;
    const user = this.#users.get(principal.userId);
    if (!user) return false;
    if (user.deactivated) return true;
    return user.notBefore !== null && principal.issuedAt.getTime() < user.notBefore.getTime();
  }

  /** Applies one identity event (others are ignored). */
  apply(event: DecodedIntegrationEvent): void {
    switch (event.type) {
      case 'identity.v1.SessionRevoked': {
        const expires = event.message.expiresAt;
        this.#sessions.set(event.message.sessionId, expires ? new Date(Number(expires.seconds) * 1000) : event.occurredAt);
        break;
      }
      case 'identity.v1.UserDeactivated':
        this.#user(event.message.userId).deactivated = true;
        break;
      case 'identity.v1.UserRoleChanged':
        // JWT `iat` has second precision: tokens issued in an earlier second than the change are refused.
        this.#user(event.message.userId).notBefore = new Date(Math.floor(event.occurredAt.getTime() / 1000) * 1000);
        break;
      case 'identity.v1.UserReactivated': {
        // Tokens issued from now on are accepted again; older ones (from before the deactivation) stay refused.
        const user = this.#user(event.message.userId);
        user.deactivated = false;
        user.notBefore = new Date(Math.floor(event.occurredAt.getTime() / 1000) * 1000);
        break;
      }
      default:
        break;
    }
  }

  /** Forgets sessions whose tokens have expired anyway. */
  prune(now = new Date()): void {
    for (const [sessionId, expires] of this.#sessions) if (expires.getTime() < now.getTime() - 60_000) this.#sessions.delete(sessionId);
  }

  /** Loads the persisted list (see {@link revocationMigrations}). */
  async load(db: SqlQueryable, schema: string): Promise<void> {
    const s = quoteIdentifier(schema);
    const sessions = await db.query<{ session_id: string; expires_at: string }>(
      `SELECT session_id, expires_at::text AS expires_at FROM ${s}.auth_revoked_sessions WHERE expires_at > now() - interval '1 minute'`,
    );
    for (const row of sessions.rows) this.#sessions.set(row.session_id, new Date(row.expires_at));
    const users = await db.query<{ user_id: string; not_before: string | null; deactivated: boolean }>(
      `SELECT user_id, not_before::text AS not_before, deactivated FROM ${s}.auth_user_states`,
    );
    for (const row of users.rows) this.#users.set(row.user_id, { notBefore: row.not_before ? new Date(row.not_before) : null, deactivated: row.deactivated });
  }

  /** Persists the effect of `event` in `tx` (call {@link apply} after the commit). */
  static async record(tx: SqlQueryable, schema: string, event: DecodedIntegrationEvent): Promise<void> {
    const s = quoteIdentifier(schema);
    switch (event.type) {
      case 'identity.v1.SessionRevoked': {
        const expires = event.message.expiresAt;
        const at = expires ? new Date(Number(expires.seconds) * 1000) : event.occurredAt;
        await tx.query(
          `INSERT INTO ${s}.auth_revoked_sessions (session_id, user_id, expires_at) VALUES ($1, $2, $3) ON CONFLICT (session_id) DO NOTHING`,
          [event.message.sessionId, event.message.userId, at.toISOString()],
        );
        break;
      }
      case 'identity.v1.UserDeactivated':
        await tx.query(
          `INSERT INTO ${s}.auth_user_states (user_id, deactivated) VALUES ($1, true) ON CONFLICT (user_id) DO UPDATE SET deactivated = true`,
          [event.message.userId],
        );
        break;
      case 'identity.v1.UserReactivated': {
        const at = new Date(Math.floor(event.occurredAt.getTime() / 1000) * 1000).toISOString();
        await tx.query(
          `INSERT INTO ${s}.auth_user_states (user_id, not_before, deactivated) VALUES ($1, $2, false)
           ON CONFLICT (user_id) DO UPDATE SET deactivated = false, not_before = GREATEST(COALESCE(${s}.auth_user_states.not_before, EXCLUDED.not_before), EXCLUDED.not_before)`,
          [event.message.userId, at],
        );
        break;
      }
      case 'identity.v1.UserRoleChanged': {
        const at = new Date(Math.floor(event.occurredAt.getTime() / 1000) * 1000).toISOString();
        await tx.query(
          `INSERT INTO ${s}.auth_user_states (user_id, not_before) VALUES ($1, $2)
           ON CONFLICT (user_id) DO UPDATE SET not_before = GREATEST(COALESCE(${s}.auth_user_states.not_before, EXCLUDED.not_before), EXCLUDED.not_before)`,
          [event.message.userId, at],
        );
        break;
      }
      default:
        break;
    }
  }

  #user(userId: string): { notBefore: Date | null; deactivated: boolean } {
    let user = this.#users.get(userId);
    if (!user) this.#users.set(userId, (user = { notBefore: null, deactivated: false }));
    return user;
  }
}

/** Options of {@link RevocationConsumer}. */
export interface RevocationConsumerOptions {
  bus: MessageBus;
  db: SqlExecutor;
  /** The consuming service's schema (holds the revocation tables and its processed_messages). */
  schema: string;
  /** Consumer group, e.g. `billing.auth`: every service keeps its own list. */
  groupId: string;
  list: RevocationList;
  logger?: RunnerLogger;
}

/**
 * Keeps a {@link RevocationList} current from the identity topic (`identity.user-events.v1`):
 * idempotently (each event recorded once, in one transaction with its dedup record), through a
 * {@link ConsumerRunner} (retries, dead letters). With the in-memory bus a logout reaches every
 * service before the logout request returns; over Kafka, within the consumer lag (seconds).
 */
export class RevocationConsumer {
  #runner: ConsumerRunner | undefined;

  constructor(private readonly options: RevocationConsumerOptions) {}

  /** Migrates the tables, loads the persisted list, then subscribes. */
  async start(): Promise<void> {
    const { db, schema, bus, groupId, list } = this.options;
    await migrate(db, schema, revocationMigrations);
    await migrateProcessedMessages(db, schema);
    await list.load(db, schema);
    const runner = new ConsumerRunner({
      bus,
      groupId,
      topics: [TOPICS.identity],
      fromBeginning: true,
      retry: { attempts: 5, initialDelayMs: 100, maxDelayMs: 5_000 },
      logger: this.options.logger,
      handler: (message: BusMessage) => this.#handle(message),
    });
    await runner.start();
    this.#runner = runner;
  }

  /** Leaves the consumer group. */
  async stop(): Promise<void> {
    const runner = this.#runner;
    this.#runner = undefined;
    await runner?.stop();
  }

  async #handle(message: BusMessage): Promise<void> {
    const event = decodeIntegrationEvent(message.value);
    if (!REVOKING.has(event.type)) return;
    const { db, schema, groupId, list } = this.options;
    await handleOnce(db, { schema, groupId, eventId: event.eventId }, (tx) => RevocationList.record(tx, schema, event));
    list.apply(event);
  }
}
