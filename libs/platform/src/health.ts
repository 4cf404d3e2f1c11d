import { Public } from './access.js';
import { Controller, Get, Header, Injectable, Module, Res } from '@nestjs/common';
import type { SqlExecutor } from '@billing/database';
import { quoteIdentifier } from '@billing/database';

/** `up` when the thing checked works, `down` otherwise. */
export type HealthStatus = 'up' | 'down';

/** What one check found: its status plus free-form details (JSON-serialisable), e.g. `{ status: 'up', schema: 'billing' }`. */
export interface IndicatorResult {
  status: HealthStatus;
  [detail: string]: unknown;
}

/**
 * One health check. Resolves with the status and details; a check that throws or takes longer than
 * the registry's timeout counts as `down` with `error` set to the reason.
 */
export type HealthCheck = () => Promise<IndicatorResult>;

/** The health of one module: `up` when every one of its checks is up. */
export interface ModuleHealth {
  status: HealthStatus;
  /** Each named check's result, e.g. `{ database: { status: 'up', schema: 'identity', migrations: 1 } }`. */
  checks: Record<string, IndicatorResult>;
}

/** The body of `GET /health`: `up` when every module is up (an empty registry is up). */
export interface HealthReport {
  status: HealthStatus;
  modules: Record<string, ModuleHealth>;
}

/** Default time a check may take before it counts as down, in milliseconds. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 5_000;

function failure(error: unknown): IndicatorResult {
  return { status: 'down', error: error instanceof Error ? error.message : String(error) };
}

/**
 * Where modules register their health indicators. One instance per application (provided by
 * {@link HealthModule}); each service module registers its checks at init, under its own name.
 */
@Injectable()
export class HealthRegistry {
  readonly #checks = new Map<string, Map<string, HealthCheck>>();
  /** How long one check may take, in milliseconds (default {@link DEFAULT_HEALTH_TIMEOUT_MS}). */
  timeoutMs = DEFAULT_HEALTH_TIMEOUT_MS;

  /**
   * Registers `check` as indicator `indicator` of module `module` (e.g. `identity`, `database`).
   * @returns a function that removes it again.
   * @throws Error when the same module already has an indicator of that name.
   */
  register(module: string, indicator: string, check: HealthCheck): () => void {
    let checks = this.#checks.get(module);
    if (!checks) {
      checks = new Map();
      this.#checks.set(module, checks);
    }
    if (checks.has(indicator)) throw new Error(`health indicator "${module}.${indicator}" is already registered`);
    checks.set(indicator, check);
    return () => {
      const current = this.#checks.get(module);
      if (current?.get(indicator) !== check) return;
      current.delete(indicator);
      if (current.size === 0) this.#checks.delete(module);
    };
  }

  /** Names of the modules that registered at least one indicator, in registration order. */
  modules(): string[] {
    return [...this.#checks.keys()];
  }

  /** Runs every check concurrently (each bounded by {@link timeoutMs}) and aggregates the results. */
  async check(): Promise<HealthReport> {
    const modules: Record<string, ModuleHealth> = {};
    await Promise.all(
      [...this.#checks].map(async ([module, checks]) => {
        const results = await Promise.all([...checks].map(async ([name, check]) => [name, await this.#run(check)] as const));
        const status: HealthStatus = results.every(([, result]) => result.status === 'up') ? 'up' : 'down';
        modules[module] = { status, checks: Object.fromEntries(results) };
      }),
    );
    const ordered = Object.fromEntries(this.modules().flatMap((name) => (modules[name] ? [[name, modules[name]] as const] : [])));
    const status: HealthStatus = Object.values(ordered).every((module) => module.status === 'up') ? 'up' : 'down';
    return { status, modules: ordered };
  }

  async #run(check: HealthCheck): Promise<IndicatorResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<IndicatorResult>((resolve) => {
      timer = setTimeout(() => resolve({ status: 'down', error: `timed out after ${this.timeoutMs} ms` }), this.timeoutMs);
    });
    try {
      const result = await Promise.race([
        Promise.resolve()
          .then(check)
          .catch((error: unknown) => failure(error)),
        timeout,
      ]);
      return result.status === 'up' || result.status === 'down' ? result : { ...result, status: 'down' };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The part of the HTTP response the health endpoint uses (Express and Fastify both have it). */
interface StatusResponse {
  status(code: number): unknown;
}

/** `GET /health`: 200 with the {@link HealthReport} when everything is up, 503 with it when anything is down. */
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  /** Runs every registered check; sets 200 or 503 on the response and returns the report. */
  @Get()
  @Header('Cache-Control', 'no-store')
  async health(@Res({ passthrough: true }) response: StatusResponse): Promise<HealthReport> {
    const report = await this.registry.check();
    response.status(report.status === 'up' ? 200 : 503);
    return report;
  }
}

/**
 * Provides the application's single {@link HealthRegistry} and serves `GET /health`. Every service
 * module imports it (Nest instantiates it once however many modules import it).
 */
@Module({ providers: [HealthRegistry], controllers: [HealthController], exports: [HealthRegistry] })
export class HealthModule {}

/** Options of {@link databaseHealthCheck}. */
export interface DatabaseHealthOptions {
  /** Migration ids that must be recorded as applied, e.g. the event store's `001_event_store`. */
  requiredMigrations?: readonly string[];
}

/**
 * A check that the database answers and that `schema` is migrated: its `schema_migrations` table
 * (written by `migrate` of `@billing/database`) exists, lists at least one migration, and lists every
 * id of `requiredMigrations`. Details when up:
 * `{ status: 'up', dialect: 'pglite' | 'postgresql', schema, migrations: <count>, latencyMs }`;
 * when down: `{ status: 'down', dialect, schema, error }` with `error` one of
 * `schema "x" is not migrated`, `schema "x" misses migrations 001_a, 002_b`, or the driver's message.
 * @throws Error (at creation) when `schema` is not a valid SQL identifier.
 */
export function databaseHealthCheck(db: SqlExecutor, schema: string, options: DatabaseHealthOptions = {}): HealthCheck {
  const table = `${quoteIdentifier(schema)}.schema_migrations`;
  const required = options.requiredMigrations ?? [];
  return async () => {
    const started = performance.now();
    const down = (error: string): IndicatorResult => ({ status: 'down', dialect: db.dialect, schema, error });
    try {
      const found = await db.query<{ table: string | null }>('SELECT to_regclass($1)::text AS table', [table]);
      if (!found.rows[0]?.table) return down(`schema "${schema}" is not migrated`);
      const applied = await db.query<{ id: string }>(`SELECT id FROM ${table}`);
      const ids = new Set(applied.rows.map((row) => row.id));
      if (ids.size === 0) return down(`schema "${schema}" is not migrated`);
      const missing = required.filter((id) => !ids.has(id));
      if (missing.length > 0) return down(`schema "${schema}" misses migrations ${missing.join(', ')}`);
      const latencyMs = Math.round((performance.now() - started) * 10) / 10;
      return { status: 'up', dialect: db.dialect, schema, migrations: ids.size, latencyMs };
    } catch (error) {
      return down(error instanceof Error ? error.message : String(error));
    }
  };
}
