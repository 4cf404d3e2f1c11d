import { distributedServiceEnvSchema } from '@billing/platform';
import type { z } from 'zod';

/**
 * Environment of the identity service in the distributed topology (validated by `main.ts` with
 * `loadConfig`): `DATABASE_URL` (required, `postgres://…`), `KAFKA_BROKERS` (required,
 * `host:port[,host:port…]`), `PORT` (default 3000), `DB_SCHEMA` (default `identity`), `LOG_LEVEL`
 * (default `info`).
 */
export const identityEnvSchema = distributedServiceEnvSchema('identity');

/** The validated configuration of the identity service: `PORT` a number, `KAFKA_BROKERS` an array. */
export type IdentityConfig = z.output<typeof identityEnvSchema>;
