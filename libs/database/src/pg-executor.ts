import pg from 'pg';
import type { SqlExecutor, SqlQueryable, SqlResult, SqlTransaction } from './executor.js';

/** Options for {@link PgExecutor}. */
export interface PgExecutorOptions {
  /** `postgres://user@host:port/database`. */
  connectionString: string;
  /** Pool size (default 10). */
  maxConnections?: number;
  /** `application_name` shown in `pg_stat_activity` (default `billing-platform`). */
  applicationName?: string;
}

async function run<Row extends object>(client: SqlClient, text: string, params?: readonly unknown[]): Promise<SqlResult<Row>> {
  const result = await client.query<Row>(text, params as unknown[] | undefined);
  return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
}

interface SqlClient {
  query<Row extends object>(text: string, params?: unknown[]): Promise<pg.QueryResult<Row & pg.QueryResultRow>>;
}

/** The {@link SqlExecutor} for PostgreSQL 15+, over a node-postgres connection pool. */
export class PgExecutor implements SqlExecutor {
  readonly dialect = 'postgresql' as const;
  readonly supportsConcurrentTransactions = true;
  readonly pool: pg.Pool;
  #closed = false;

  constructor(options: PgExecutorOptions) {
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      application_name: options.applicationName ?? 'billing-platform',
    });
    // An idle client that loses its connection must not crash the process; the pool replaces it.
    this.pool.on('error', () => undefined);
  }

  query<Row extends object = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<Row>> {
    return run<Row>(this.pool as unknown as SqlClient, text, params);
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const tx: SqlQueryable = { query: (text, params) => run(client as unknown as SqlClient, text, params) };
      const result = await work(tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pool.end();
  }
}
