import { serviceEnvSchema } from '@billing/service-kit';
import type { z } from 'zod';

/**
 * Environment of the billing service in the distributed topology (see `serviceEnvSchema`):
 * `DATABASE_URL` and `KAFKA_BROKERS` (required), `PORT` (default 3000), `DB_SCHEMA` (default `billing`),
 * `LOG_LEVEL` (default `info`), `AUTH_JWKS_URL` (required: the identity service's JWKS).
 */
export const billingEnvSchema = serviceEnvSchema('billing');

/** The validated configuration of the billing service. */
export type BillingConfig = z.output<typeof billingEnvSchema>;
