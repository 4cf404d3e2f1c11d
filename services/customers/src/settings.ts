import { z } from 'zod';

/** Settings of the customers service's usage month close (environment, with defaults). */
export interface CustomersSettings {
  /** Days after a month ends before it is closed on schedule, and before a monthly total closes it at once (`USAGE_CLOSE_GRACE_DAYS`, default 3). */
  closeGraceDays: number;
  /** How often the close scheduler runs, in milliseconds (`USAGE_CLOSE_INTERVAL_MS`, default 1 hour). */
  closeIntervalMs: number;
  /** Whether the scheduler runs at all (`USAGE_CLOSE_SCHEDULER`, default true; tests turn it off). */
  scheduler: boolean;
  /** Ingestion transactions running at once; requests arriving meanwhile are grouped into the next one (`USAGE_INGEST_WRITERS`, default 2). */
  ingestWriters: number;
}

/** Injection token of the {@link CustomersSettings}. */
export const CUSTOMERS_SETTINGS = Symbol('customers.settings');

/** The usage-close variables of the environment and their defaults. */
export const usageCloseEnvSchema = z.object({
  USAGE_CLOSE_GRACE_DAYS: z.coerce.number().int().min(0).max(60).default(3),
  USAGE_CLOSE_INTERVAL_MS: z.coerce.number().int().min(1000).default(3_600_000),
  USAGE_INGEST_WRITERS: z.coerce.number().int().min(1).max(16).default(2),
  USAGE_CLOSE_SCHEDULER: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
});

/**
 * Reads the usage-close settings from `env`.
 * @throws Error naming the bad variable.
 */
export function settingsFromEnv(env: Record<string, string | undefined> = process.env): CustomersSettings {
  const parsed = usageCloseEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`Invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { closeGraceDays: parsed.data.USAGE_CLOSE_GRACE_DAYS, closeIntervalMs: parsed.data.USAGE_CLOSE_INTERVAL_MS, scheduler: parsed.data.USAGE_CLOSE_SCHEDULER, ingestWriters: parsed.data.USAGE_INGEST_WRITERS };
}
