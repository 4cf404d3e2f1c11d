/**
 * The SQL executor port: the one way libraries and services talk to their database.
 *
 * Two adapters implement it: {@link PgExecutor} (node-postgres pool, PostgreSQL 15+) and
 * {@link PGliteExecutor} (embedded PostgreSQL in this process). Code written against the port runs
 * unchanged on both, provided it follows two rules:
 * - every table name is schema-qualified (PGlite is one session shared by every service, so
 *   `SET search_path` would leak between services);
 * - `int8` columns are read as text (`::text`) and parsed with `BigInt`, because the two drivers
 *   disagree on how they return them.
 */
export interface SqlResult<Row> {
  rows: Row[];
  /** Rows inserted, updated or deleted (or returned, for a SELECT). */
  rowCount: number;
}

/** Something that runs one parameterised statement: a whole database, or one open transaction. */
export interface SqlQueryable {
  /**
   * Runs one statement with positional parameters (`$1`, `$2`, …).
   * @throws the driver's error, with PostgreSQL's SQLSTATE in `code` (e.g. `23505` unique violation).
   */
  query<Row extends object = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<Row>>;
}

export type SqlTransaction = SqlQueryable;

export type SqlDialect = 'postgresql' | 'pglite';

export interface SqlExecutor extends SqlQueryable {
  readonly dialect: SqlDialect;
  /**
   * Whether two transactions can be open at once. PostgreSQL: yes. PGlite: no, it is a single
   * session, so transactions run one after another (a second one waits for the first).
   */
  readonly supportsConcurrentTransactions: boolean;
  /** Runs several statements separated by semicolons, without parameters (migrations, DDL). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `work` in one transaction (READ COMMITTED): committed when it resolves, rolled back when it
   * throws (the error is rethrown unchanged).
   */
  transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  /** Releases the connections (pool) or closes the embedded database. Idempotent. */
  close(): Promise<void>;
}

/** PostgreSQL SQLSTATE codes the platform reacts to. */
export const SqlState = {
  uniqueViolation: '23505',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
} as const;

/** True when `error` is a database error with the given SQLSTATE (both drivers set `code`). */
export function hasSqlState(error: unknown, state: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === state;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Validates a schema or table name and returns it double-quoted for SQL.
 * @throws Error when the name is not a lowercase SQL identifier (letters, digits, `_`, ≤ 63 chars).
 */
export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new Error(`"${name}" is not a valid SQL identifier (lowercase letters, digits and _; at most 63 characters)`);
  }
  return `"${name}"`;
}
