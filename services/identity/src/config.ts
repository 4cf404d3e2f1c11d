import { serviceEnvSchema } from '@billing/service-kit';
import type { z } from 'zod';

/**
 * Environment of the identity service in the distributed topology (see `serviceEnvSchema`):
 * `DATABASE_URL` and `KAFKA_BROKERS` (required), `PORT` (default 3000), `DB_SCHEMA` (default `identity`),
 * `LOG_LEVEL` (default `info`), `AUTH_JWKS_URL` (optional: the service serves its own keys).
 */
export const identityEnvSchema = serviceEnvSchema('identity', { servesOwnKeys: true });

/** The validated configuration of the identity service. */
export type IdentityConfig = z.output<typeof identityEnvSchema>;
