/**
 * Entry point of the api-gateway (distributed topology). Exit 1 naming each bad variable; clean
 * shutdown on SIGINT/SIGTERM (HTTP, then the bus, then the database).
 */
import 'reflect-metadata';
import { openDatabase } from '@billing/database';
import { createKafkaBus } from '@billing/messaging';
import { closeInOrder, closeOnSignals, exitOnConfigError, listen, loadConfig, type Closable } from '@billing/platform';
import { gatewayEnvSchema, type GatewayConfig } from './config.js';
import { createGateway } from './gateway.js';

let config: GatewayConfig;
try {
  config = loadConfig(gatewayEnvSchema);
} catch (error) {
  exitOnConfigError(error);
}
const opened: Closable[] = [];
try {
  const db = await openDatabase(config.DATABASE_URL, { applicationName: 'api-gateway' });
  opened.unshift(db);
  const bus = createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: 'api-gateway', consumer: { sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS } });
  opened.unshift(bus);
  const app = await createGateway({
    upstreams: { identity: config.IDENTITY_URL, customers: config.CUSTOMERS_URL, billing: config.BILLING_URL, approvals: config.APPROVALS_URL },
    keys: config.AUTH_JWKS_URL ? { jwksUrl: config.AUTH_JWKS_URL } : undefined,
    revocations: { db, bus, schema: config.DB_SCHEMA },
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    webDist: config.WEB_DIST,
    logLevel: config.LOG_LEVEL,
  });
  opened.unshift(app);
  await listen(app, { port: config.PORT });
  closeOnSignals(() => closeInOrder(opened));
} catch (error) {
  console.error('api-gateway failed to start:', error);
  await closeInOrder(opened).catch(() => undefined);
  process.exit(1);
}
