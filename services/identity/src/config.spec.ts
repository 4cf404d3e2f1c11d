import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '@billing/platform';
import { identityEnvSchema } from './config.js';

describe('identity configuration', () => {
  it('defaults DB_SCHEMA to "identity", PORT to 3000 and LOG_LEVEL to info', () => {
    expect(loadConfig(identityEnvSchema, { DATABASE_URL: 'postgres://identity:pw@postgres:5432/identity', KAFKA_BROKERS: 'kafka:9092' })).toEqual({
      DATABASE_URL: 'postgres://identity:pw@postgres:5432/identity',
      KAFKA_BROKERS: ['kafka:9092'],
      PORT: 3000,
      DB_SCHEMA: 'identity',
      LOG_LEVEL: 'info',
    });
  });

  it('names DATABASE_URL and KAFKA_BROKERS when they are missing', () => {
    expect(() => loadConfig(identityEnvSchema, {})).toThrow(ConfigError);
    expect(() => loadConfig(identityEnvSchema, {})).toThrow('Invalid configuration: DATABASE_URL: required, not set; KAFKA_BROKERS: required, not set');
  });
});
