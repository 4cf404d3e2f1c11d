/**
 * Distributed entry point of the identity service: one process, its own PostgreSQL database, Kafka.
 * Fails fast (exit 1, naming each bad variable on stderr) on invalid configuration; closes HTTP,
 * the bus and the database in that order on SIGINT/SIGTERM and exits 0.
 */
import 'reflect-metadata';
import { openDatabase, type SqlExecutor } from '@billing/database';
import { createKafkaBus, type MessageBus } from '@billing/messaging';
import { closeInOrder, closeOnSignals, createHttpApp, exitOnConfigError, listen, loadConfig, type Closable } from '@billing/platform';
import { identityEnvSchema, type IdentityConfig } from './config.js';
import { IdentityModule, IDENTITY_SERVICE } from './identity.module.js';

async function main(): Promise<void> {
  let config: IdentityConfig;
  try {
    config = loadConfig(identityEnvSchema);
  } catch (error) {
    exitOnConfigError(error);
  }
  const opened: Closable[] = [];
  try {
    const db: SqlExecutor = await openDatabase(config.DATABASE_URL, { applicationName: IDENTITY_SERVICE });
    opened.unshift(db);
    const bus: MessageBus = createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: IDENTITY_SERVICE });
    opened.unshift(bus);
    const app = await createHttpApp(IdentityModule.register({ db, schema: config.DB_SCHEMA, bus }), { logLevel: config.LOG_LEVEL });
    opened.unshift(app);
    await listen(app, { port: config.PORT });
    closeOnSignals(() => closeInOrder(opened));
  } catch (error) {
    console.error(`identity service failed to start:`, error);
    await closeInOrder(opened).catch(() => undefined);
    process.exit(1);
  }
}

await main();
