import { randomBytes } from 'node:crypto';
import { PGliteExecutor, PgExecutor, quoteIdentifier, type SqlExecutor } from '@billing/database';

/** The PostgreSQL tests use unless `DATABASE_URL` says otherwise. */
export const defaultTestDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/test';

/** A database for one test file, with a schema of its own. */
export interface TestDatabase {
  db: SqlExecutor;
  /** A fresh schema name, unique to this run (not created: `migrate` creates it). */
  schema: string;
  /** `PostgreSQL at …` or `PGlite (in memory)`. */
  description: string;
  /** Drops the schema and closes the database. Idempotent. */
  close(): Promise<void>;
}

/** A unique lowercase identifier starting with `prefix`, e.g. `msg_1a2b3c4d5e`. */
export function uniqueSchemaName(prefix = 'msg_test'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

function withSchema(db: SqlExecutor, description: string, prefix: string): TestDatabase {
  const schema = uniqueSchemaName(prefix);
  let closed: Promise<void> | undefined;
  return {
    db,
    schema,
    description,
    close: () =>
      (closed ??= (async () => {
        try {
          await db.exec(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
        } finally {
          await db.close();
        }
      })()),
  };
}

/** An in-memory PGlite database (about 2–3 s to open, ~0.7 GB). */
export async function openPGliteTestDatabase(prefix?: string): Promise<TestDatabase> {
  return withSchema(await PGliteExecutor.open(), 'PGlite (in memory)', prefix ?? 'msg_test');
}

/**
 * PostgreSQL at `DATABASE_URL` (default {@link defaultTestDatabaseUrl}).
 * @returns the database, or why it cannot be used (a string) when it does not answer `SELECT 1`.
 */
export async function openPostgresTestDatabase(prefix?: string): Promise<TestDatabase | string> {
  const url = process.env.DATABASE_URL ?? defaultTestDatabaseUrl;
  const db = new PgExecutor({ connectionString: url, maxConnections: 4, applicationName: 'messaging-tests' });
  try {
    await db.query('SELECT 1');
  } catch (error) {
    await db.close();
    return `PostgreSQL not reachable at ${url.replace(/\/\/[^@/]*@/, '//…@')} (${error instanceof Error ? error.message : String(error)}); set DATABASE_URL`;
  }
  return withSchema(db, `PostgreSQL at ${url.replace(/\/\/[^@/]*@/, '//…@')}`, prefix ?? 'msg_test');
}
