import { distributedServiceEnvSchema } from '@billing/platform';
import type { z } from 'zod';

/**
 * Environment of the billing service in the distributed topology (validated by `main.ts` with
 * `loadConfig`): `DATABASE_URL` (required, `postgres://…`), `KAFKA_BROKERS` (required,
 * `host:port[,host:port…]`), `PORT` (default 3000), `DB_SCHEMA` (default `billing`), `LOG_LEVEL`
 * (default `info`).
 */
export const billingEnvSchema = distributedServiceEnvSchema('billing');

/** The validated configuration of the billing service: `PORT` a number, `KAFKA_BROKERS` an array. */
export type BillingConfig = z.output<typeof billingEnvSchema>;
