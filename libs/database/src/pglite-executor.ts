import { PGlite } from '@electric-sql/pglite';
import type { SqlExecutor, SqlResult, SqlTransaction } from './executor.js';

/**
 * The {@link SqlExecutor} for embedded PostgreSQL (PGlite) running in this process.
 *
 * PGlite is one session: statements and transactions from concurrent callers are queued and run one
 * at a time, so there is never a lock conflict, and never a late commit either. One instance costs
 * about 0.7 GB, so the embedded runtime opens exactly one and gives each service its own schema.
 */
export class PGliteExecutor implements SqlExecutor {
  readonly dialect = 'pglite' as const;
  readonly supportsConcurrentTransactions = false;
  #closed = false;

  private constructor(readonly db: PGlite) {}

  /**
   * Opens (creating when missing) the database in `dataDir`, or an in-memory one when `dataDir`
   * is undefined or `memory://`.
   */
  static async open(dataDir?: string): Promise<PGliteExecutor> {
    const db = await PGlite.create(dataDir && dataDir !== 'memory://' ? { dataDir } : {});
    return new PGliteExecutor(db);
  }

  async query<Row extends object = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<Row>> {
    const result = await this.db.query<Row>(text, params as unknown[] | undefined);
    return { rows: result.rows, rowCount: Math.max(result.rows.length, result.affectedRows ?? 0) };
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return this.db.transaction(async (inner) =>
      work({
        async query<Row extends object>(text: string, params?: readonly unknown[]) {
          const result = await inner.query<Row>(text, params as unknown[] | undefined);
          return { rows: result.rows, rowCount: Math.max(result.rows.length, result.affectedRows ?? 0) };
        },
      }),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.db.close();
  }
}
