import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '@billing/platform';
import { billingEnvSchema } from './config.js';

describe('billing configuration', () => {
  it('defaults DB_SCHEMA to "billing", PORT to 3000 and LOG_LEVEL to info', () => {
    expect(loadConfig(billingEnvSchema, { DATABASE_URL: 'postgres://billing:pw@postgres:5432/billing', KAFKA_BROKERS: 'kafka:9092', AUTH_JWKS_URL: 'http://identity:3000/.well-known/jwks.json' })).toEqual({
      DATABASE_URL: 'postgres://billing:pw@postgres:5432/billing',
      KAFKA_BROKERS: ['kafka:9092'],
      PORT: 3000,
      DB_SCHEMA: 'billing',
      LOG_LEVEL: 'info',
      KAFKA_SESSION_TIMEOUT_MS: 10_000,
      AUTH_JWKS_URL: 'http://identity:3000/.well-known/jwks.json',
    });
  });

  it('names DATABASE_URL, KAFKA_BROKERS and AUTH_JWKS_URL when they are missing', () => {
    expect(() => loadConfig(billingEnvSchema, {})).toThrow(ConfigError);
    expect(() => loadConfig(billingEnvSchema, {})).toThrow('Invalid configuration: DATABASE_URL: required, not set; KAFKA_BROKERS: required, not set; AUTH_JWKS_URL: required, not set');
  });
});
