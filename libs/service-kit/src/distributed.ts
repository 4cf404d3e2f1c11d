/**
 * The distributed entry point every service's `main.ts` calls: one process per service, its own
 * PostgreSQL database (or schema), Kafka.
 */
import 'reflect-metadata';
import { z } from 'zod';
import { openDatabase, type SqlExecutor } from '@billing/database';
import { createKafkaBus, type MessageBus } from '@billing/messaging';
import { closeInOrder, closeOnSignals, distributedServiceEnvSchema, exitOnConfigError, kafkaSessionTimeoutSchema, loadConfig, type Closable } from '@billing/platform';
import { startServices, type KeysOption, type ServiceDefinition } from './composition.js';

/**
 * Environment of a service in the distributed topology: `DATABASE_URL` (required), `KAFKA_BROKERS`
 * (required, `host:port[,…]`), `PORT` (default 3000), `DB_SCHEMA` (default: the service name),
 * `LOG_LEVEL` (default `info`), `KAFKA_SESSION_TIMEOUT_MS` (default 10 000: how soon a crashed
 * process' consumer-group membership expires, so its restarted process or a peer takes its partitions
 * over), and `AUTH_JWKS_URL`: the identity service's
 * `/.well-known/jwks.json` (required, except for the identity service, which serves its own keys).
 */
export function serviceEnvSchema(name: string, options: { servesOwnKeys?: boolean } = {}) {
  const base = distributedServiceEnvSchema(name).extend({ KAFKA_SESSION_TIMEOUT_MS: kafkaSessionTimeoutSchema() });
  return options.servesOwnKeys
    ? base.extend({ AUTH_JWKS_URL: z.url().optional() })
    : base.extend({ AUTH_JWKS_URL: z.url({ error: 'must be the identity service’s JWKS URL, e.g. http://identity:3000/.well-known/jwks.json' }) });
}

/** The configuration {@link serviceEnvSchema} yields. */
export type ServiceConfig = z.output<ReturnType<typeof serviceEnvSchema>>;

/**
 * Runs one service as its own process: validates the environment (exit 1 naming each bad variable),
 * opens PostgreSQL and Kafka, then {@link startServices} with that one service; closes HTTP, the bus
 * and the database in that order on SIGINT/SIGTERM and exits 0. Any start-up failure exits 1.
 * @param definition the service.
 * @param options `servesOwnKeys` for the identity service (its tokens are verified with its own JWKS).
 */
export async function runDistributedService(definition: ServiceDefinition, options: { servesOwnKeys?: boolean } = {}): Promise<void> {
  let config: ServiceConfig;
  try {
    config = loadConfig(serviceEnvSchema(definition.name, options));
  } catch (error) {
    exitOnConfigError(error);
  }
  const opened: Closable[] = [];
  try {
    const db: SqlExecutor = await openDatabase(config.DATABASE_URL, { applicationName: definition.name });
    opened.unshift(db);
    const bus: MessageBus = createKafkaBus({
      brokers: config.KAFKA_BROKERS,
      clientId: definition.name,
      consumer: { sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS },
    });
    opened.unshift(bus);
    const keys: KeysOption = config.AUTH_JWKS_URL ? { jwksUrl: config.AUTH_JWKS_URL } : 'self';
    const { app } = await startServices({
      services: [{ definition, schema: config.DB_SCHEMA }],
      db,
      bus,
      keys,
      auth: { schema: config.DB_SCHEMA, groupId: `${definition.name}.auth` },
      port: config.PORT,
      http: { logLevel: config.LOG_LEVEL },
    });
    opened.unshift(app);
    closeOnSignals(() => closeInOrder(opened));
  } catch (error) {
    console.error(`${definition.name} service failed to start:`, error);
    await closeInOrder(opened).catch(() => undefined);
    process.exit(1);
  }
}
