import { serviceEnvSchema } from '@billing/service-kit';
import type { z } from 'zod';

/**
 * Environment of the approvals service in the distributed topology (see `serviceEnvSchema`):
 * `DATABASE_URL` and `KAFKA_BROKERS` (required), `PORT` (default 3000), `DB_SCHEMA` (default `approvals`),
 * `LOG_LEVEL` (default `info`), `AUTH_JWKS_URL` (required: the identity service's JWKS).
 */
export const approvalsEnvSchema = serviceEnvSchema('approvals');

/** The validated configuration of the approvals service. */
export type ApprovalsConfig = z.output<typeof approvalsEnvSchema>;
