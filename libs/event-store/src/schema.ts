import { type Migration } from '@billing/database';

/**
 * The event store's tables, created in the owning service's schema (`{schema}` is replaced by
 * `migrate`). Runs unchanged on PostgreSQL 15+ and PGlite.
 *
 * - `streams`: one row per stream with its current version; the row lock taken on append serialises
 *   writers of one stream, so versions are gapless.
 * - `events`: append-only. `global_position` comes from a sequence and so may commit out of order;
 *   `transaction_id` (xid8 of the writing transaction) lets global-log readers wait for every
 *   transaction below `pg_snapshot_xmin` to finish, so an event that commits late is never skipped.
 * - `checkpoints`: one row per consumer of the global log: the last (transaction_id, global_position)
 *   it handled.
 */
export const eventStoreMigrations: readonly Migration[] = [
  {
    id: '001_event_store',
    sql: `
      CREATE TABLE {schema}.streams (
        stream_id   text PRIMARY KEY,
        stream_type text NOT NULL,
        version     bigint NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE {schema}.events (
        global_position bigserial PRIMARY KEY,
        transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
        stream_id       text NOT NULL,
        stream_version  bigint NOT NULL,
        event_id        uuid NOT NULL,
        event_type      text NOT NULL,
        schema_version  integer NOT NULL DEFAULT 1,
        data            jsonb NOT NULL,
        metadata        jsonb NOT NULL DEFAULT '{}'::jsonb,
        recorded_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version),
        CONSTRAINT events_event_id_unique UNIQUE (event_id)
      );
      CREATE INDEX events_global_order ON {schema}.events (transaction_id, global_position);
      CREATE TABLE {schema}.checkpoints (
        consumer_id     text PRIMARY KEY,
        transaction_id  xid8 NOT NULL,
        global_position bigint NOT NULL,
        updated_at      timestamptz NOT NULL DEFAULT now()
      )
    `,
  },
];
