import { randomBytes } from 'node:crypto';
import { PgExecutor } from './pg-executor.js';

/** Default PostgreSQL for integration tests; override with `DATABASE_URL`. */
export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Opens the integration-test PostgreSQL, or explains why it cannot (so a suite can skip with a
 * line that says why instead of failing on a machine without the backend).
 */
export async function openTestPostgres(maxConnections = 25): Promise<{ db: PgExecutor } | { skipReason: string }> {
  const db = new PgExecutor({ connectionString: TEST_DATABASE_URL, maxConnections, applicationName: 'billing-tests' });
  try {
    await db.query('SELECT 1');
    return { db };
  } catch (error) {
    await db.close();
    return { skipReason: `PostgreSQL unreachable at ${TEST_DATABASE_URL.replace(/\/\/[^@]*@/, '//')}: ${(error as Error).message}` };
  }
}

/** A fresh schema name for one test (`<prefix>_<random hex>`). */
export function uniqueSchema(prefix = 'test'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}
