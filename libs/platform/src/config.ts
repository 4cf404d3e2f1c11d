import { z } from 'zod';

/** Environment variables as `process.env` holds them. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** One invalid or missing variable. */
export interface ConfigIssue {
  /** The environment variable's name, e.g. `PORT`. */
  variable: string;
  /** Why it was rejected, e.g. `expected an integer 1–65535, got "abc"` or `required, not set`. */
  message: string;
}

/**
 * Thrown by {@link loadConfig} when the environment does not satisfy the schema. `issues` names every
 * offending variable (not just the first one); `message` is the one-line summary printed at start-up:
 * `Invalid configuration: PORT: expected an integer 1–65535, got "abc"; DATABASE_URL: required, not set`.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly issues: readonly ConfigIssue[]) {
    super(`Invalid configuration: ${issues.map((issue) => `${issue.variable}: ${issue.message}`).join('; ')}`);
  }
}

/**
 * Validates the environment against a zod object schema whose keys are variable names, and returns
 * the parsed, typed configuration (defaults applied, values transformed: ports become numbers, broker
 * lists arrays, flags booleans). Variables set to the empty string count as not set, so `PORT=` falls
 * back to the default. Variables the schema does not name are ignored.
 * @param schema a `z.object({...})` built with the helpers of this module (or any zod schema).
 * @param env defaults to `process.env`.
 * @throws ConfigError listing every invalid or missing variable by name, with the reason.
 */
export function loadConfig<Schema extends z.ZodType>(schema: Schema, env: Environment = process.env): z.output<Schema> {
  const input: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') input[name] = value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue): ConfigIssue => {
    const variable = issue.path.length > 0 ? issue.path.map(String).join('.') : '(environment)';
    const top = issue.path[0];
    const missing = issue.path.length === 1 && typeof top === 'string' && input[top] === undefined && issue.code === 'invalid_type';
    return { variable, message: missing ? 'required, not set' : issue.message };
  });
  throw new ConfigError(issues);
}

/**
 * Start-up helper for entry points: when `error` is a {@link ConfigError}, prints its message
 * (`Invalid configuration: PORT: expected an integer 1–65535, got "abc"`) to stderr and exits the
 * process with code 1. Any other error is printed with its stack and also exits 1.
 * @returns never (the process exits).
 */
export function exitOnConfigError(error: unknown, exit: (code: number) => never = process.exit): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  return exit(1);
}

// ---------------------------------------------------------------------------------------------------
// Reusable variable schemas. Each takes the raw string and yields the typed value.

/** Options of {@link portSchema}. */
export interface PortOptions {
  /** Accept `0`, meaning "any free port, chosen by the OS" (tests, embedded). Default false. */
  allowEphemeral?: boolean;
}

/**
 * A TCP port: a decimal integer 1–65535 (or 0–65535 with `allowEphemeral`), parsed to a number.
 * Error message: `expected an integer 1–65535, got "abc"`.
 */
export function portSchema(options: PortOptions = {}): z.ZodType<number, string> {
  const min = options.allowEphemeral ? 0 : 1;
  const expected = options.allowEphemeral ? 'expected an integer 1–65535 (or 0 for any free port)' : 'expected an integer 1–65535';
  return z.string().transform((raw, ctx) => {
    const value = raw.trim();
    const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isInteger(port) || port < min || port > 65535) {
      ctx.addIssue({ code: 'custom', message: `${expected}, got ${JSON.stringify(raw)}` });
      return z.NEVER;
    }
    return port;
  });
}

/** Options of {@link urlSchema}. */
export interface UrlOptions {
  /** Accepted schemes with their colon, e.g. `['http:', 'https:']`. Default: any. */
  protocols?: readonly string[];
}

/**
 * An absolute URL, returned unchanged as a string. The value is never echoed in the error message
 * (URLs may carry passwords). Error: `expected a URL (postgres:, postgresql:)`.
 */
export function urlSchema(options: UrlOptions = {}): z.ZodType<string, string> {
  const protocols = options.protocols;
  const expected = protocols ? `expected a URL (${protocols.join(', ')})` : 'expected an absolute URL';
  return z.string().transform((raw, ctx) => {
    const value = raw.trim();
    let parsed: URL | undefined;
    try {
      parsed = new URL(value);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (protocols && !protocols.includes(parsed.protocol))) {
      ctx.addIssue({ code: 'custom', message: expected });
      return z.NEVER;
    }
    return value;
  });
}

/**
 * A database URL as `openDatabase` from `@billing/database` accepts it: `postgres://…`,
 * `postgresql://…`, or `pglite://<directory>` / `pglite://memory`. Returned unchanged; never echoed.
 */
export function databaseUrlSchema(): z.ZodType<string, string> {
  return z.string().transform((raw, ctx) => {
    const value = raw.trim();
    if (/^pglite:\/\/.*/.test(value)) return value;
    if (/^postgres(ql)?:\/\/./.test(value)) {
      try {
        new URL(value);
        return value;
      } catch {
        // reported below
      }
    }
    ctx.addIssue({ code: 'custom', message: 'expected postgres://user:password@host:port/database or pglite://<directory>' });
    return z.NEVER;
  });
}

/**
 * A comma-separated list of Kafka brokers, `host:port[,host:port…]` (spaces around commas allowed),
 * parsed to an array of `host:port` strings. Error: `expected comma-separated host:port pairs, e.g.
 * kafka-1:9092,kafka-2:9092; "kafka" is not host:port`.
 */
export function brokerListSchema(): z.ZodType<string[], string> {
  return z.string().transform((raw, ctx) => {
    const brokers = raw
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry.length > 0);
    const bad = brokers.find((broker) => !/^[A-Za-z0-9._-]+:\d{1,5}$/.test(broker) || Number(broker.split(':')[1]) > 65535);
    if (brokers.length === 0 || bad !== undefined) {
      const why = bad === undefined ? 'the list is empty' : `${JSON.stringify(bad)} is not host:port`;
      ctx.addIssue({ code: 'custom', message: `expected comma-separated host:port pairs, e.g. kafka-1:9092,kafka-2:9092; ${why}` });
      return z.NEVER;
    }
    return brokers;
  });
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/**
 * `KAFKA_SESSION_TIMEOUT_MS`: how long a consumer-group member may go unheard before the broker
 * evicts it, so that a crashed process' partitions move to its restart or a peer (1 000–300 000,
 * default 10 000). Heartbeats and the rebalance timeout follow from it (see `@billing/messaging`).
 */
export function kafkaSessionTimeoutSchema() {
  return z.coerce.number().int().min(1_000).max(300_000).default(10_000);
}

/**
 * A boolean flag: `true/1/yes/on` or `false/0/no/off` (any case) parsed to a boolean.
 * Error: `expected true or false (also 1/0, yes/no, on/off), got "maybe"`.
 */
export function booleanFlagSchema(): z.ZodType<boolean, string> {
  return z.string().transform((raw, ctx) => {
    const value = raw.trim().toLowerCase();
    if (TRUE.has(value)) return true;
    if (FALSE.has(value)) return false;
    ctx.addIssue({ code: 'custom', message: `expected true or false (also 1/0, yes/no, on/off), got ${JSON.stringify(raw)}` });
    return z.NEVER;
  });
}

/** Log levels, most to least severe. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
/** One of {@link LOG_LEVELS}: everything at this level and more severe is logged. */
export type LogLevelName = (typeof LOG_LEVELS)[number];

/**
 * `LOG_LEVEL`: one of `fatal`, `error`, `warn`, `info`, `debug`, `trace` (any case).
 * Error: `expected one of fatal, error, warn, info, debug, trace, got "loud"`.
 */
export function logLevelSchema(): z.ZodType<LogLevelName, string> {
  return z.string().transform((raw, ctx) => {
    const value = raw.trim().toLowerCase();
    const level = LOG_LEVELS.find((candidate) => candidate === value);
    if (level === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(raw)}` });
      return z.NEVER;
    }
    return level;
  });
}

/**
 * A lowercase SQL identifier (schema or table name: letters, digits and `_`, starting with a letter
 * or `_`, at most 63 characters), as `quoteIdentifier` of `@billing/database` accepts it.
 */
export function sqlIdentifierSchema(): z.ZodType<string, string> {
  return z.string().transform((raw, ctx) => {
    const value = raw.trim();
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value)) {
      ctx.addIssue({ code: 'custom', message: `expected a lowercase SQL identifier (a-z, 0-9, _; at most 63 characters), got ${JSON.stringify(raw)}` });
      return z.NEVER;
    }
    return value;
  });
}

/**
 * The environment schema every service shares in the distributed topology:
 * - `DATABASE_URL` (required): its PostgreSQL database (see {@link databaseUrlSchema});
 * - `KAFKA_BROKERS` (required): `host:port` list (see {@link brokerListSchema});
 * - `PORT` (default 3000): HTTP port;
 * - `DB_SCHEMA` (default: the service name with `-` replaced by `_`): the schema its tables live in;
 * - `LOG_LEVEL` (default `info`).
 * Services extend it with `.extend({...})` for variables of their own.
 */
export function distributedServiceEnvSchema(serviceName: string) {
  return z.object({
    DATABASE_URL: databaseUrlSchema(),
    KAFKA_BROKERS: brokerListSchema(),
    PORT: portSchema().default(3000),
    DB_SCHEMA: sqlIdentifierSchema().default(serviceName.replaceAll('-', '_')),
    LOG_LEVEL: logLevelSchema().default('info'),
  });
}

/** The configuration {@link distributedServiceEnvSchema} yields. */
export type DistributedServiceConfig = z.output<ReturnType<typeof distributedServiceEnvSchema>>;
