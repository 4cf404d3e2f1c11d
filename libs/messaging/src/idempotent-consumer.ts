import { migrate, quoteIdentifier, type Migration, type SqlExecutor, type SqlTransaction } from '@billing/database';

/**
 * The migrations of the idempotent-consumer table, `<schema>.processed_messages`: one row per
 * (consumer group, event id) already handled. Ids are prefixed `messaging_` so they can sit in a
 * service's own `schema_migrations` next to its migrations; a service may list them in its own
 * migration array or call {@link migrateProcessedMessages}.
 */
export const processedMessagesMigrations: readonly Migration[] = Object.freeze([
  {
    id: 'messaging_001_processed_messages',
    sql: `CREATE TABLE IF NOT EXISTS {schema}.processed_messages (
  group_id text NOT NULL,
  event_id text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, event_id)
)`,
  },
]);

/**
 * Creates `schema` and `<schema>.processed_messages` when missing (with `migrate` from
 * `@billing/database`: recorded in `<schema>.schema_migrations`, safe to run concurrently).
 * @returns the migration ids applied by this call.
 */
export function migrateProcessedMessages(db: SqlExecutor, schema: string): Promise<string[]> {
  return migrate(db, schema, processedMessagesMigrations);
}

/** Whether {@link handleOnce} ran the effect (`processed`) or found the event already handled (`duplicate`). */
export type HandleOutcome = 'processed' | 'duplicate';

/** Which table and which (group, event) {@link handleOnce} deduplicates on. */
export interface HandleOnceKey {
  /** The service's schema, holding `processed_messages` (see {@link processedMessagesMigrations}). */
  schema: string;
  /** The consumer group: two groups handle the same event independently. */
  groupId: string;
  /** The event's unique id (the envelope's `event_id`, the `event-id` header). */
  eventId: string;
}

/**
 * Runs `effect` at most once per (group, event id), atomically with recording that it ran.
 *
 * In ONE transaction: insert `(groupId, eventId)` into `<schema>.processed_messages`; if the row
 * already exists, skip the effect and resolve `'duplicate'`; else run `effect(tx)` with the same
 * transaction and commit both, resolving `'processed'`. If the effect throws, the transaction rolls
 * back (nothing recorded) and the error is rethrown, so a redelivery tries again. Two deliveries
 * racing on PostgreSQL are serialised by the primary key: the second waits for the first to commit,
 * then sees a duplicate (or, if the first rolled back, runs the effect).
 * @throws Error when `schema` is not a valid identifier or `eventId` is empty; the effect's error;
 * the database's errors.
 */
export async function handleOnce(db: SqlExecutor, key: HandleOnceKey, effect: (tx: SqlTransaction) => Promise<void>): Promise<HandleOutcome> {
  const table = `${quoteIdentifier(key.schema)}.processed_messages`;
  if (!key.eventId) throw new Error(`handleOnce: empty event id (group ${key.groupId})`);
  return db.transaction(async (tx) => {
    const inserted = await tx.query(`INSERT INTO ${table} (group_id, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [key.groupId, key.eventId]);
    if (inserted.rowCount === 0) return 'duplicate';
    await effect(tx);
    return 'processed';
  });
}

/** {@link handleOnce} bound to one database, schema and consumer group. */
export class IdempotentConsumer {
  /** @throws Error when `options.schema` is not a valid SQL identifier. */
  constructor(
    readonly db: SqlExecutor,
    readonly options: { schema: string; groupId: string },
  ) {
    quoteIdentifier(options.schema);
  }

  /** Creates the `processed_messages` table when missing ({@link migrateProcessedMessages}). */
  async migrate(): Promise<void> {
    await migrateProcessedMessages(this.db, this.options.schema);
  }

  /** Runs `effect` unless event `eventId` was already handled by this group; see {@link handleOnce}. */
  handle(eventId: string, effect: (tx: SqlTransaction) => Promise<void>): Promise<HandleOutcome> {
    return handleOnce(this.db, { ...this.options, eventId }, effect);
  }
}
