import { distributedServiceEnvSchema } from '@billing/platform';
import type { z } from 'zod';

/**
 * Environment of the customers service in the distributed topology (validated by `main.ts` with
 * `loadConfig`): `DATABASE_URL` (required, `postgres://…`), `KAFKA_BROKERS` (required,
 * `host:port[,host:port…]`), `PORT` (default 3000), `DB_SCHEMA` (default `customers`), `LOG_LEVEL`
 * (default `info`).
 */
export const customersEnvSchema = distributedServiceEnvSchema('customers');

/** The validated configuration of the customers service: `PORT` a number, `KAFKA_BROKERS` an array. */
export type CustomersConfig = z.output<typeof customersEnvSchema>;
