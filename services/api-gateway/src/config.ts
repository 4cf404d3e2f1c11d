import { brokerListSchema, databaseUrlSchema, kafkaSessionTimeoutSchema, logLevelSchema, portSchema, sqlIdentifierSchema, urlSchema } from '@billing/platform';
import { z } from 'zod';

/**
 * Environment of the api-gateway: `PORT` (default 3000); the services' base URLs `IDENTITY_URL`,
 * `CUSTOMERS_URL`, `BILLING_URL`, `APPROVALS_URL` (required); `AUTH_JWKS_URL` (default
 * `<IDENTITY_URL>/.well-known/jwks.json`); `DATABASE_URL` + `DB_SCHEMA` (default `gateway`) and
 * `KAFKA_BROKERS` (+ `KAFKA_SESSION_TIMEOUT_MS`, default 10 000) for its revocation list; `RATE_LIMIT_PER_MINUTE` per client address (default 1200);
 * `WEB_DIST` (default `services/web/dist`): the web app to serve at `/`; `LOG_LEVEL`.
 */
export const gatewayEnvSchema = z.object({
  PORT: portSchema().default(3000),
  IDENTITY_URL: urlSchema(),
  CUSTOMERS_URL: urlSchema(),
  BILLING_URL: urlSchema(),
  APPROVALS_URL: urlSchema(),
  AUTH_JWKS_URL: urlSchema().optional(),
  DATABASE_URL: databaseUrlSchema(),
  DB_SCHEMA: sqlIdentifierSchema().default('gateway'),
  KAFKA_BROKERS: brokerListSchema(),
  KAFKA_SESSION_TIMEOUT_MS: kafkaSessionTimeoutSchema(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(1200),
  WEB_DIST: z.string().default('services/web/dist'),
  LOG_LEVEL: logLevelSchema().default('info'),
});

/** The validated gateway configuration. */
export type GatewayConfig = z.output<typeof gatewayEnvSchema>;
