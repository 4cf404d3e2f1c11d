import { distributedServiceEnvSchema } from '@billing/platform';
import type { z } from 'zod';

/**
 * Environment of the approvals service in the distributed topology (validated by `main.ts` with
 * `loadConfig`): `DATABASE_URL` (required, `postgres://…`), `KAFKA_BROKERS` (required,
 * `host:port[,host:port…]`), `PORT` (default 3000), `DB_SCHEMA` (default `approvals`), `LOG_LEVEL`
 * (default `info`).
 */
export const approvalsEnvSchema = distributedServiceEnvSchema('approvals');

/** The validated configuration of the approvals service: `PORT` a number, `KAFKA_BROKERS` an array. */
export type ApprovalsConfig = z.output<typeof approvalsEnvSchema>;
