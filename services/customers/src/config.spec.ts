import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '@billing/platform';
import { customersEnvSchema } from './config.js';

describe('customers configuration', () => {
  it('defaults DB_SCHEMA to "customers", PORT to 3000 and LOG_LEVEL to info', () => {
    expect(loadConfig(customersEnvSchema, { DATABASE_URL: 'postgres://customers:pw@postgres:5432/customers', KAFKA_BROKERS: 'kafka:9092', AUTH_JWKS_URL: 'http://identity:3000/.well-known/jwks.json' })).toEqual({
      DATABASE_URL: 'postgres://customers:pw@postgres:5432/customers',
      KAFKA_BROKERS: ['kafka:9092'],
      PORT: 3000,
      DB_SCHEMA: 'customers',
      LOG_LEVEL: 'info',
      KAFKA_SESSION_TIMEOUT_MS: 10_000,
      AUTH_JWKS_URL: 'http://identity:3000/.well-known/jwks.json',
    });
  });

  it('names DATABASE_URL, KAFKA_BROKERS and AUTH_JWKS_URL when they are missing', () => {
    expect(() => loadConfig(customersEnvSchema, {})).toThrow(ConfigError);
    expect(() => loadConfig(customersEnvSchema, {})).toThrow('Invalid configuration: DATABASE_URL: required, not set; KAFKA_BROKERS: required, not set; AUTH_JWKS_URL: required, not set');
  });
});

describe('customers usage-close settings', () => {
  it('defaults to a 3-day grace window, an hourly scheduler, on', async () => {
    const { settingsFromEnv } = await import('./settings.js');
    expect(settingsFromEnv({})).toEqual({ closeGraceDays: 3, closeIntervalMs: 3_600_000, scheduler: true, ingestWriters: 2 });
    expect(settingsFromEnv({ USAGE_CLOSE_GRACE_DAYS: '5', USAGE_CLOSE_INTERVAL_MS: '60000', USAGE_CLOSE_SCHEDULER: 'false' })).toMatchObject({ closeGraceDays: 5, closeIntervalMs: 60_000, scheduler: false });
    expect(() => settingsFromEnv({ USAGE_CLOSE_GRACE_DAYS: '-1' })).toThrow('USAGE_CLOSE_GRACE_DAYS');
  });
});
