import type { SqlExecutor } from './executor.js';
import { quoteIdentifier } from './executor.js';

/** One forward-only schema change. `sql` may hold several statements; `{schema}` is replaced by the quoted schema. */
export interface Migration {
  /** Unique and stable, e.g. `001_event_store`. Applied in the order given. */
  id: string;
  sql: string;
}

/**
 * Creates `schema` when missing and applies, in order, each migration not yet recorded in
 * `<schema>.schema_migrations`, each in its own transaction. Safe to call concurrently from several
 * processes: an advisory lock keyed on the schema serialises them.
 * @returns the ids applied by this call.
 */
export async function migrate(db: SqlExecutor, schema: string, migrations: readonly Migration[]): Promise<string[]> {
  const s = quoteIdentifier(schema);
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`migrate:${schema}`]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
  });
  for (const migration of migrations) {
    await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`migrate:${schema}`]);
      const done = await tx.query(`SELECT 1 FROM ${s}.schema_migrations WHERE id = $1`, [migration.id]);
      if (done.rowCount > 0) return;
      for (const statement of splitStatements(migration.sql.replaceAll('{schema}', s))) {
        await tx.query(statement);
      }
      await tx.query(`INSERT INTO ${s}.schema_migrations (id) VALUES ($1)`, [migration.id]);
      applied.push(migration.id);
    });
  }
  return applied;
}

/** Splits DDL on `;` at line ends. Migrations keep function bodies out (none of ours need them). */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}
