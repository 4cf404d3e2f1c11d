import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import {
  booleanFlagSchema,
  brokerListSchema,
  ConfigError,
  distributedServiceEnvSchema,
  exitOnConfigError,
  loadConfig,
  portSchema,
  urlSchema,
} from './config.js';

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  const schema = z.object({
    PORT: portSchema().default(3000),
    PUBLIC_URL: urlSchema({ protocols: ['http:', 'https:'] }),
    KAFKA_BROKERS: brokerListSchema(),
    FEATURE_X: booleanFlagSchema().default(false),
  });

  it('returns the typed configuration with defaults applied', () => {
    const config = loadConfig(schema, { PUBLIC_URL: 'https://billing.example', KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9093', FEATURE_X: 'Yes' });
    expect(config).toEqual({ PORT: 3000, PUBLIC_URL: 'https://billing.example', KAFKA_BROKERS: ['kafka-1:9092', 'kafka-2:9093'], FEATURE_X: true });
  });

  it('names every invalid and missing variable with its reason', () => {
    const error = configError(() => loadConfig(schema, { PORT: 'abc', PUBLIC_URL: 'ftp://x', FEATURE_X: 'maybe' }));
    expect(error.issues).toEqual([
      { variable: 'PORT', message: 'expected an integer 1–65535, got "abc"' },
      { variable: 'PUBLIC_URL', message: 'expected a URL (http:, https:)' },
      { variable: 'KAFKA_BROKERS', message: 'required, not set' },
      { variable: 'FEATURE_X', message: 'expected true or false (also 1/0, yes/no, on/off), got "maybe"' },
    ]);
    expect(error.message).toMatch(/^Invalid configuration: PORT: expected an integer 1–65535, got "abc"; PUBLIC_URL: .*; KAFKA_BROKERS: required, not set; FEATURE_X: /);
  });

  it('rejects out-of-range ports and accepts 0 only when ephemeral ports are allowed', () => {
    const strict = z.object({ PORT: portSchema() });
    const ephemeral = z.object({ PORT: portSchema({ allowEphemeral: true }) });
    expect(configError(() => loadConfig(strict, { PORT: '65536' })).issues[0]?.variable).toBe('PORT');
    expect(configError(() => loadConfig(strict, { PORT: '0' })).issues[0]?.variable).toBe('PORT');
    expect(configError(() => loadConfig(strict, { PORT: '80.5' })).issues[0]?.variable).toBe('PORT');
    expect(loadConfig(ephemeral, { PORT: '0' })).toEqual({ PORT: 0 });
    expect(loadConfig(strict, { PORT: ' 8080 ' })).toEqual({ PORT: 8080 });
  });

  it('treats an empty variable as not set', () => {
    expect(loadConfig(z.object({ PORT: portSchema().default(3000) }), { PORT: '' })).toEqual({ PORT: 3000 });
    expect(configError(() => loadConfig(z.object({ NAME: z.string() }), { NAME: '' })).issues).toEqual([
      { variable: 'NAME', message: 'required, not set' },
    ]);
  });

  it('rejects malformed broker lists, naming the bad entry', () => {
    const error = configError(() => loadConfig(z.object({ KAFKA_BROKERS: brokerListSchema() }), { KAFKA_BROKERS: 'kafka-1:9092,kafka' }));
    expect(error.issues[0]).toEqual({ variable: 'KAFKA_BROKERS', message: expect.stringContaining('"kafka" is not host:port') });
  });

  it('gives the distributed service schema its defaults and never echoes DATABASE_URL', () => {
    const schema = distributedServiceEnvSchema('payments-gateway');
    expect(loadConfig(schema, { DATABASE_URL: 'postgres://u:p@db:5432/pay', KAFKA_BROKERS: 'kafka:9092' })).toEqual({
      DATABASE_URL: 'postgres://u:p@db:5432/pay',
      KAFKA_BROKERS: ['kafka:9092'],
      PORT: 3000,
      DB_SCHEMA: 'payments_gateway',
      LOG_LEVEL: 'info',
    });
    const error = configError(() => loadConfig(schema, { DATABASE_URL: 'mysql://u:secret@db/pay', LOG_LEVEL: 'loud', DB_SCHEMA: 'Bad-Name' }));
    expect(error.issues.map((issue) => issue.variable)).toEqual(['DATABASE_URL', 'KAFKA_BROKERS', 'DB_SCHEMA', 'LOG_LEVEL']);
    expect(error.message).not.toContain('secret');
  });
});

describe('exitOnConfigError', () => {
  it('prints the summary to stderr and exits 1', () => {
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      written.push(chunk);
      return true;
    }) as typeof process.stderr.write;
    let code: number | undefined;
    try {
      exitOnConfigError(new ConfigError([{ variable: 'PORT', message: 'expected an integer 1–65535, got "abc"' }]), ((c: number) => {
        code = c;
        return undefined as never;
      }) as (code: number) => never);
    } finally {
      process.stderr.write = original;
    }
    expect(code).toBe(1);
    expect(written.join('')).toBe('Invalid configuration: PORT: expected an integer 1–65535, got "abc"\n');
  });
});
