import type { Migration } from '@billing/database';

/**
 * The identity service's own tables, in its schema (`{schema}` is the quoted schema):
 * - `users`: read model of the `user-<id>` streams, updated in the append's transaction; unique
 *   `name_key` (lower-cased name) and `email_key` make the uniqueness rules hold under concurrency;
 * - `credentials`: bcrypt hashes (never in events);
 * - `signing_keys`: the Ed25519 token signing keys (JWK), newest first; retired ones stay in the JWKS;
 * - `sessions` and `refresh_tokens` (SHA-256 hashes; a used one kept to detect reuse);
 * - `setup_tokens`: one-time password-setup tokens (SHA-256 hashes);
 * - `login_failures`: failed logins per account and client address, for throttling across processes.
 */
export const identityMigrations: readonly Migration[] = Object.freeze([
  {
    id: 'identity_001_users',
    sql: `
      CREATE TABLE {schema}.users (
        user_id        text PRIMARY KEY,
        name           text NOT NULL,
        name_key       text NOT NULL,
        email          text,
        email_key      text,
        role           text,
        requested_role text,
        active         boolean NOT NULL,
        has_password   boolean NOT NULL DEFAULT false,
        source         text NOT NULL,
        registered_at  timestamptz NOT NULL,
        updated_at     timestamptz NOT NULL
      );
      CREATE UNIQUE INDEX users_name_key ON {schema}.users (name_key);
      CREATE UNIQUE INDEX users_email_key ON {schema}.users (email_key) WHERE email_key IS NOT NULL;
      CREATE TABLE {schema}.credentials (
        user_id       text PRIMARY KEY REFERENCES {schema}.users (user_id),
        password_hash text NOT NULL,
        updated_at    timestamptz NOT NULL
      );
      CREATE TABLE {schema}.signing_keys (
        kid         text PRIMARY KEY,
        private_jwk jsonb NOT NULL,
        public_jwk  jsonb NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        retired_at  timestamptz
      );
      CREATE TABLE {schema}.sessions (
        session_id            text PRIMARY KEY,
        user_id               text NOT NULL REFERENCES {schema}.users (user_id),
        created_at            timestamptz NOT NULL,
        refresh_expires_at    timestamptz NOT NULL,
        last_token_id         text NOT NULL,
        last_token_expires_at timestamptz NOT NULL,
        revoked_at            timestamptz,
        revoke_reason         text
      );
      CREATE INDEX sessions_user ON {schema}.sessions (user_id);
      CREATE TABLE {schema}.refresh_tokens (
        token_hash text PRIMARY KEY,
        session_id text NOT NULL REFERENCES {schema}.sessions (session_id),
        expires_at timestamptz NOT NULL,
        used_at    timestamptz
      );
      CREATE TABLE {schema}.setup_tokens (
        token_hash text PRIMARY KEY,
        user_id    text NOT NULL REFERENCES {schema}.users (user_id),
        expires_at timestamptz NOT NULL,
        used_at    timestamptz
      );
      CREATE TABLE {schema}.login_failures (
        id          bigserial PRIMARY KEY,
        account_key text NOT NULL,
        address     text NOT NULL,
        failed_at   timestamptz NOT NULL
      );
      CREATE INDEX login_failures_account ON {schema}.login_failures (account_key, failed_at);
      CREATE INDEX login_failures_address ON {schema}.login_failures (address, failed_at);`,
  },
]);
