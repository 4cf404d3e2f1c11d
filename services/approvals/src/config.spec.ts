import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '@billing/platform';
import { approvalsEnvSchema } from './config.js';

describe('approvals configuration', () => {
  it('defaults DB_SCHEMA to "approvals", PORT to 3000 and LOG_LEVEL to info', () => {
    expect(loadConfig(approvalsEnvSchema, { DATABASE_URL: 'postgres://approvals:pw@postgres:5432/approvals', KAFKA_BROKERS: 'kafka:9092', AUTH_JWKS_URL: 'http://identity:3000/.well-known/jwks.json' })).toEqual({
      DATABASE_URL: 'postgres://approvals:pw@postgres:5432/approvals',
      KAFKA_BROKERS: ['kafka:9092'],
      PORT: 3000,
      DB_SCHEMA: 'approvals',
      LOG_LEVEL: 'info',
      KAFKA_SESSION_TIMEOUT_MS: 10_000,
      AUTH_JWKS_URL: 'http://identity:3000/.well-known/jwks.json',
    });
  });

  it('names DATABASE_URL, KAFKA_BROKERS and AUTH_JWKS_URL when they are missing', () => {
    expect(() => loadConfig(approvalsEnvSchema, {})).toThrow(ConfigError);
    expect(() => loadConfig(approvalsEnvSchema, {})).toThrow('Invalid configuration: DATABASE_URL: required, not set; KAFKA_BROKERS: required, not set; AUTH_JWKS_URL: required, not set');
  });
});
