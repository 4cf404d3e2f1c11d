import type { SqlExecutor } from './executor.js';
import { PgExecutor } from './pg-executor.js';
import { PGliteExecutor } from './pglite-executor.js';

/**
 * Opens the executor a database URL names:
 * - `postgres://…` or `postgresql://…`: a {@link PgExecutor} pool;
 * - `pglite://<directory>` (e.g. `pglite://./data/pglite`) or `pglite://memory`: a {@link PGliteExecutor}.
 * @throws Error naming the URL's scheme when it is none of these.
 */
export async function openDatabase(url: string, options: { maxConnections?: number; applicationName?: string } = {}): Promise<SqlExecutor> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    return new PgExecutor({ connectionString: url, ...options });
  }
  if (url.startsWith('pglite://')) {
    const location = url.slice('pglite://'.length);
    return PGliteExecutor.open(location === '' || location === 'memory' ? undefined : location);
  }
  throw new Error(`unsupported database URL scheme in "${url.split(':')[0]}:": use postgres:// or pglite://`);
}
