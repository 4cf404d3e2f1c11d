import { serviceEnvSchema } from '@billing/service-kit';
import type { z } from 'zod';

/**
 * Environment of the customers service in the distributed topology (see `serviceEnvSchema`):
 * `DATABASE_URL` and `KAFKA_BROKERS` (required), `PORT` (default 3000), `DB_SCHEMA` (default `customers`),
 * `LOG_LEVEL` (default `info`), `AUTH_JWKS_URL` (required: the identity service's JWKS).
 * The usage month close reads `USAGE_CLOSE_GRACE_DAYS` (default 3), `USAGE_CLOSE_INTERVAL_MS` (default
 * 1 hour) and `USAGE_CLOSE_SCHEDULER` (default true) through `settingsFromEnv` (see `settings.ts`).
 */
export const customersEnvSchema = serviceEnvSchema('customers');

/** The validated configuration of the customers service. */
export type CustomersConfig = z.output<typeof customersEnvSchema>;
