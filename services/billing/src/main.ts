/**
 * Distributed entry point of the billing service: one process, its own PostgreSQL database, Kafka.
 * Fails fast (exit 1, naming each bad variable on stderr) on invalid configuration; closes HTTP,
 * the bus and the database in that order on SIGINT/SIGTERM and exits 0.
 */
import 'reflect-metadata';
import { openDatabase, type SqlExecutor } from '@billing/database';
import { createKafkaBus, type MessageBus } from '@billing/messaging';
import { closeInOrder, closeOnSignals, createHttpApp, exitOnConfigError, listen, loadConfig, type Closable } from '@billing/platform';
import { billingEnvSchema, type BillingConfig } from './config.js';
import { BillingModule, BILLING_SERVICE } from './billing.module.js';

async function main(): Promise<void> {
  let config: BillingConfig;
  try {
    config = loadConfig(billingEnvSchema);
  } catch (error) {
    exitOnConfigError(error);
  }
  const opened: Closable[] = [];
  try {
    const db: SqlExecutor = await openDatabase(config.DATABASE_URL, { applicationName: BILLING_SERVICE });
    opened.unshift(db);
    const bus: MessageBus = createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: BILLING_SERVICE });
    opened.unshift(bus);
    const app = await createHttpApp(BillingModule.register({ db, schema: config.DB_SCHEMA, bus }), { logLevel: config.LOG_LEVEL });
    opened.unshift(app);
    await listen(app, { port: config.PORT });
    closeOnSignals(() => closeInOrder(opened));
  } catch (error) {
    console.error(`billing service failed to start:`, error);
    await closeInOrder(opened).catch(() => undefined);
    process.exit(1);
  }
}

await main();
