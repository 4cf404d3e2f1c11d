/**
 * `npm run start:distributed`: every service and the api-gateway as separate Node processes on
 * PostgreSQL (`DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`, a schema per
 * service) and Kafka (`KAFKA_BROKERS`, or librdkafka's mock cluster started with `kcat`). The gateway
 * listens on `PORT` (default 3000), the services on the next four ports. Ctrl-C stops everything.
 */
import { z } from 'zod';
import { brokerListSchema, closeOnSignals, databaseUrlSchema, exitOnConfigError, loadConfig, portSchema } from '@billing/platform';
import { startDistributed } from './launcher.js';

const schema = z.object({
  DATABASE_URL: databaseUrlSchema().default('postgres://postgres@127.0.0.1:5432/postgres'),
  KAFKA_BROKERS: brokerListSchema().optional(),
  PORT: portSchema().default(3000),
});
let config: z.output<typeof schema>;
try {
  config = loadConfig(schema);
} catch (error) {
  exitOnConfigError(error);
}
try {
  const platform = await startDistributed({ databaseUrl: config.DATABASE_URL, kafkaBrokers: config.KAFKA_BROKERS, port: config.PORT });
  closeOnSignals(platform.stop);
  console.log(`Billing platform (distributed) listening on ${platform.url} (Kafka ${platform.kafkaBrokers.join(',')})`);
  for (const [name, url] of Object.entries(platform.urls)) console.log(`  ${name.padEnd(12)} ${url}`);
} catch (error) {
  console.error('Billing platform (distributed) failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
}
