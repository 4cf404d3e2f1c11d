import { serviceEnvSchema } from '@billing/service-kit';
import { booleanFlagSchema } from '@billing/platform';
import { z } from 'zod';

/** An integer setting within `[min, max]`, parsed from its environment string. */
function intSetting(min: number, max: number) {
  return z.coerce.number({ error: `expected an integer ${min}–${max}` }).int(`expected an integer ${min}–${max}`).min(min, `expected an integer ${min}–${max}`).max(max, `expected an integer ${min}–${max}`);
}

/** Settings shape shared by {@link identitySettingsSchema} and {@link identityEnvSchema}. */
const identitySettingsShape = {
  NODE_ENV: z.string().optional(),
  IDENTITY_ACCESS_TOKEN_TTL_SECONDS: intSetting(30, 86_400).default(900),
  IDENTITY_REFRESH_TOKEN_TTL_DAYS: intSetting(1, 365).default(14),
  IDENTITY_BCRYPT_COST: intSetting(4, 15).default(12),
  IDENTITY_LOGIN_MAX_FAILURES_PER_ACCOUNT: intSetting(1, 1000).default(5),
  IDENTITY_LOGIN_MAX_FAILURES_PER_ADDRESS: intSetting(1, 100_000).default(20),
  IDENTITY_LOGIN_WINDOW_SECONDS: intSetting(1, 86_400).default(900),
  IDENTITY_DEMO_USERS: booleanFlagSchema().default(false),
};

/** Production refuses demo users: their password is published in the docs. */
function refuseDemoUsersInProduction(env: { NODE_ENV?: string | undefined; IDENTITY_DEMO_USERS: boolean }, ctx: z.RefinementCtx): void {
  if (env.IDENTITY_DEMO_USERS && env.NODE_ENV === 'production') {
    ctx.addIssue({
      code: 'custom',
      path: ['IDENTITY_DEMO_USERS'],
      message: 'demo users (with a published password) are refused when NODE_ENV=production',
    });
  }
}

/**
 * The identity service's own settings (both topologies; every one has a default):
 * - `IDENTITY_ACCESS_TOKEN_TTL_SECONDS` (900 = 15 minutes): lifetime of an access token;
 * - `IDENTITY_REFRESH_TOKEN_TTL_DAYS` (14): lifetime of a refresh token (rotated on every use);
 * - `IDENTITY_BCRYPT_COST` (12, the issue's cost; 4–15): bcrypt work factor of new password hashes;
 * - `IDENTITY_LOGIN_MAX_FAILURES_PER_ACCOUNT` (5) and `IDENTITY_LOGIN_MAX_FAILURES_PER_ADDRESS` (20)
 *   failed logins within `IDENTITY_LOGIN_WINDOW_SECONDS` (900) before 429 `identity.too_many_attempts`;
 * - `IDENTITY_DEMO_USERS` (false): seed one demo user per role (password `billing-demo-2017`) into an
 *   empty installation. Refused with `NODE_ENV=production` (ConfigError naming `IDENTITY_DEMO_USERS`).
 */
export const identitySettingsSchema = z.object(identitySettingsShape).superRefine(refuseDemoUsersInProduction);

/**
 * Environment of the identity service in the distributed topology (see `serviceEnvSchema`):
 * `DATABASE_URL` and `KAFKA_BROKERS` (required), `PORT` (default 3000), `DB_SCHEMA` (default `identity`),
 * `LOG_LEVEL` (default `info`), `AUTH_JWKS_URL` (optional: the service serves its own keys), plus the
 * settings of {@link identitySettingsSchema}.
 */
export const identityEnvSchema = serviceEnvSchema('identity', { servesOwnKeys: true }).extend(identitySettingsShape).superRefine(refuseDemoUsersInProduction);

/** The validated configuration of the identity service. */
export type IdentityConfig = z.output<typeof identityEnvSchema>;

/** What the identity module runs with (see {@link identitySettingsSchema} for meanings and defaults). */
export interface IdentitySettings {
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  bcryptCost: number;
  login: { maxFailuresPerAccount: number; maxFailuresPerAddress: number; windowSeconds: number };
  demoUsers: boolean;
}

/** The settings of a validated environment (either schema). */
export function identitySettingsFrom(env: z.output<typeof identitySettingsSchema> | IdentityConfig): IdentitySettings {
  return {
    accessTokenTtlSeconds: env.IDENTITY_ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: env.IDENTITY_REFRESH_TOKEN_TTL_DAYS,
    bcryptCost: env.IDENTITY_BCRYPT_COST,
    login: {
      maxFailuresPerAccount: env.IDENTITY_LOGIN_MAX_FAILURES_PER_ACCOUNT,
      maxFailuresPerAddress: env.IDENTITY_LOGIN_MAX_FAILURES_PER_ADDRESS,
      windowSeconds: env.IDENTITY_LOGIN_WINDOW_SECONDS,
    },
    demoUsers: env.IDENTITY_DEMO_USERS,
  };
}

/** The defaults: 15-minute tokens, bcrypt cost 12, 5/20 failures per 15 minutes, no demo users. */
export const DEFAULT_IDENTITY_SETTINGS: IdentitySettings = Object.freeze({
  accessTokenTtlSeconds: 900,
  refreshTokenTtlDays: 14,
  bcryptCost: 12,
  login: Object.freeze({ maxFailuresPerAccount: 5, maxFailuresPerAddress: 20, windowSeconds: 900 }),
  demoUsers: false,
}) as IdentitySettings;
