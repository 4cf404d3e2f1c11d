import type { Migration } from '@billing/database';

/**
 * The customers service's own tables (read models and usage), in its schema after the event store's:
 * - `users`: the users learned from identity's events (CSM checks);
 * - `customers`: one row per customer (read model of the `customer-<id>` streams, written in the same
 *   transaction as the append), with its whole terms history;
 * - `usage_events`: the ingestion dedup table (event id = idempotency key), pruned after 35 days;
 * - `usage_totals`: API calls per customer and period, and whether the period is closed.
 */
export const customersMigrations: readonly Migration[] = [
  {
    id: 'customers_001_tables',
    sql: `
      CREATE TABLE {schema}.users (
        user_id text PRIMARY KEY,
        name text NOT NULL,
        role text,
        active boolean NOT NULL
      );
      CREATE INDEX users_name ON {schema}.users (name);
      CREATE TABLE {schema}.customers (
        customer_id uuid PRIMARY KEY,
        external_key text NOT NULL UNIQUE,
        name text NOT NULL,
        billing_address text NOT NULL,
        billing_email text NOT NULL,
        csm_user_id text,
        preferences jsonb NOT NULL,
        terms_history jsonb NOT NULL,
        start_date date NOT NULL,
        end_date date,
        version bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX customers_csm ON {schema}.customers (csm_user_id);
      CREATE TABLE {schema}.usage_events (
        event_id text PRIMARY KEY,
        customer_id uuid NOT NULL,
        period text NOT NULL,
        quantity bigint NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX usage_events_received_at ON {schema}.usage_events (received_at);
      CREATE TABLE {schema}.usage_totals (
        customer_id uuid NOT NULL,
        period text NOT NULL,
        api_calls bigint NOT NULL,
        closed boolean NOT NULL DEFAULT false,
        closed_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (customer_id, period)
      );
      CREATE INDEX usage_totals_open ON {schema}.usage_totals (period) WHERE NOT closed;
    `,
  },
];
