import type { SqlExecutor } from '@billing/database';
import type { MessageBus } from '@billing/messaging';

/**
 * What every service module's `register(...)` receives from its composition root (a service's own
 * `main.ts` in the distributed topology, `apps/embedded` in the embedded one). The module owns
 * neither resource: the composition root opens and closes them.
 */
export interface ServiceModuleOptions {
  /** The database: PostgreSQL (distributed) or the one shared PGlite (embedded). */
  db: SqlExecutor;
  /** The schema every table of the service lives in, e.g. `billing`. A lowercase SQL identifier. */
  schema: string;
  /** The integration-event bus: Kafka (distributed) or in-memory (embedded). */
  bus: MessageBus;
}
