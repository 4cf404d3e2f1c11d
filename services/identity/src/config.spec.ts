import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '@billing/platform';
import { DEFAULT_IDENTITY_SETTINGS, identityEnvSchema, identitySettingsFrom, identitySettingsSchema } from './config.js';

describe('identity configuration', () => {
  it('defaults DB_SCHEMA to "identity", PORT to 3000, LOG_LEVEL to info, and the identity settings (15-minute tokens, bcrypt cost 12, 5/20 failures per 15 minutes, no demo users)', () => {
    expect(loadConfig(identityEnvSchema, { DATABASE_URL: 'postgres://identity:pw@postgres:5432/identity', KAFKA_BROKERS: 'kafka:9092' })).toEqual({
      DATABASE_URL: 'postgres://identity:pw@postgres:5432/identity',
      KAFKA_BROKERS: ['kafka:9092'],
      PORT: 3000,
      DB_SCHEMA: 'identity',
      LOG_LEVEL: 'info',
      KAFKA_SESSION_TIMEOUT_MS: 10_000,
      IDENTITY_ACCESS_TOKEN_TTL_SECONDS: 900,
      IDENTITY_REFRESH_TOKEN_TTL_DAYS: 14,
      IDENTITY_BCRYPT_COST: 12,
      IDENTITY_LOGIN_MAX_FAILURES_PER_ACCOUNT: 5,
      IDENTITY_LOGIN_MAX_FAILURES_PER_ADDRESS: 20,
      IDENTITY_LOGIN_WINDOW_SECONDS: 900,
      IDENTITY_DEMO_USERS: false,
    });
    expect(identitySettingsFrom(loadConfig(identitySettingsSchema, {}))).toEqual(DEFAULT_IDENTITY_SETTINGS);
  });

  it('names DATABASE_URL and KAFKA_BROKERS when they are missing', () => {
    expect(() => loadConfig(identityEnvSchema, {})).toThrow(ConfigError);
    expect(() => loadConfig(identityEnvSchema, {})).toThrow('Invalid configuration: DATABASE_URL: required, not set; KAFKA_BROKERS: required, not set');
  });

  it('refuses IDENTITY_DEMO_USERS when NODE_ENV=production, naming it, and accepts it otherwise', () => {
    expect(() => loadConfig(identitySettingsSchema, { NODE_ENV: 'production', IDENTITY_DEMO_USERS: 'true' })).toThrow(
      'Invalid configuration: IDENTITY_DEMO_USERS: demo users (with a published password) are refused when NODE_ENV=production',
    );
    expect(() =>
      loadConfig(identityEnvSchema, { DATABASE_URL: 'postgres://h/db', KAFKA_BROKERS: 'k:9092', NODE_ENV: 'production', IDENTITY_DEMO_USERS: '1' }),
    ).toThrow(/IDENTITY_DEMO_USERS/);
    expect(loadConfig(identitySettingsSchema, { NODE_ENV: 'development', IDENTITY_DEMO_USERS: 'true' }).IDENTITY_DEMO_USERS).toBe(true);
    expect(loadConfig(identitySettingsSchema, { NODE_ENV: 'production' }).IDENTITY_DEMO_USERS).toBe(false);
  });

  it('names a bad identity setting', () => {
    expect(() => loadConfig(identitySettingsSchema, { IDENTITY_BCRYPT_COST: '3' })).toThrow(/IDENTITY_BCRYPT_COST: expected an integer 4–15/);
  });
});
