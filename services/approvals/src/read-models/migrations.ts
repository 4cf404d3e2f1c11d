import type { Migration } from '@billing/database';

/**
 * The approvals service's own tables (in its schema, after the event store's):
 * - `customers`: what the service knows of each customer from customers.v1 events (name, CSM, whether
 *   its terms require CSM approval);
 * - `users`: names, roles and active flag of users from identity.v1 events (display and inbox);
 * - `approval_processes`: one row per approval process, the folded process as JSON (`process`),
 *   written in the same transaction as the process's events (inbox and detail queries);
 * - `parked_submissions`: bills submitted for a customer not known yet (its CustomerRegistered travels
 *   on another topic); their process opens when the customer arrives.
 */
export const approvalsMigrations: readonly Migration[] = [
  {
    id: 'approvals_001_read_models',
    sql: `
      CREATE TABLE {schema}.customers (
        customer_id text PRIMARY KEY,
        name text NOT NULL DEFAULT '',
        csm_user_id text,
        require_csm_approval boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE {schema}.users (
        user_id text PRIMARY KEY,
        name text NOT NULL DEFAULT '',
        role text,
        active boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE {schema}.approval_processes (
        process_id text PRIMARY KEY,
        bill_id text NOT NULL,
        generation integer NOT NULL,
        customer_id text NOT NULL,
        status text NOT NULL,
        opened_at timestamptz NOT NULL,
        closed_at timestamptz,
        process jsonb NOT NULL
      );
      CREATE INDEX approval_processes_bill ON {schema}.approval_processes (bill_id, generation);
      CREATE INDEX approval_processes_status ON {schema}.approval_processes (status, opened_at);
    `,
  },
  {
    id: 'approvals_002_parked_submissions',
    sql: `
      CREATE TABLE {schema}.parked_submissions (
        bill_id text NOT NULL,
        submit_action_id text NOT NULL,
        customer_id text NOT NULL,
        submission jsonb NOT NULL,
        origin jsonb NOT NULL,
        parked_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (bill_id, submit_action_id)
      );
      CREATE INDEX parked_submissions_customer ON {schema}.parked_submissions (customer_id, parked_at);
    `,
  },
];
