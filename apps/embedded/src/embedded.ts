import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, PGliteExecutor, type SqlExecutor } from '@billing/database';
import { MemoryBus, type MessageBus } from '@billing/messaging';
import { closeInOrder, type Closable } from '@billing/platform';
import { startServices } from '@billing/service-kit';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { EmbeddedConfig } from './config.js';
import { createIdentityService, identitySettingsFrom, identitySettingsSchema } from '@billing/identity-service';
import { loadConfig } from '@billing/platform';
import { loadDemoData } from './demo-data.js';
import { EMBEDDED_AUTH, embeddedServices } from './embedded.module.js';
import { serveWebApp } from './web-app.js';

const defaultWebDir = fileURLToPath(new URL('../../../services/web', import.meta.url));

/** A running embedded platform, as {@link startEmbedded} returns it. */
export interface EmbeddedRuntime {
  /** `http://localhost:<port>`. */
  url: string;
  /** The bound port (the real one when 0 was asked for). */
  port: number;
  /** The Nest application. */
  app: NestExpressApplication;
  /** The shared database. */
  db: SqlExecutor;
  /** The shared in-memory bus. */
  bus: MessageBus;
  /**
   * Closes the HTTP server (and runs the modules' shutdown hooks), then the bus, then the database.
   * Idempotent: later calls return the first call's promise.
   */
  close(): Promise<void>;
}

/** The embedded database's location: `<DATA_DIR>/pglite`, absolute. */
export function pgliteDirectory(dataDir: string): string {
  return resolve(join(dataDir, 'pglite'));
}

/**
 * Boots the whole platform in this process: ONE database (PGlite at `<DATA_DIR>/pglite`, created when
 * missing, or `DATABASE_URL`), ONE in-memory bus, every service module in its own schema (see
 * `startServices`: one guard, one bus transport per service), HTTP on `PORT` with `GET /health`, the
 * web app at `/`; with `DEMO_MODE`, demo users and the BillProcess dataset on first start. Missing settings take the defaults of `embeddedEnvSchema`.
 * Resolves once migrations ran and the server listens.
 * @throws whatever opening the database, a migration or binding the port throws (what was opened is closed again).
 */
export async function startEmbedded(config: Partial<EmbeddedConfig> = {}): Promise<EmbeddedRuntime> {
  const dataDir = config.DATA_DIR ?? './data';
  const demo = config.DEMO_MODE ?? false;
  // The identity settings (IDENTITY_* variables, e.g. token lifetime); demo users follow DEMO_MODE.
  const identityEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('IDENTITY_')));
  const opened: Closable[] = [];
  try {
    let db: SqlExecutor;
    if (config.DATABASE_URL) {
      db = await openDatabase(config.DATABASE_URL, { applicationName: 'billing-embedded' });
    } else {
      const directory = pgliteDirectory(dataDir);
      mkdirSync(directory, { recursive: true });
      db = await PGliteExecutor.open(directory);
    }
    opened.unshift(db);
    const bus: MessageBus = new MemoryBus();
    opened.unshift(bus);
    const { app, url, port } = await startServices({
      services: embeddedServices(createIdentityService({ ...identitySettingsFrom(loadConfig(identitySettingsSchema, identityEnv)), demoUsers: demo })),
      db,
      bus,
      keys: 'self',
      auth: EMBEDDED_AUTH,
      port: config.PORT ?? 3000,
      http: { logLevel: config.LOG_LEVEL ?? 'info' },
      log: false,
      configure: (app) => serveWebApp(app, config.WEB_DIR ?? defaultWebDir, { build: config.WEB_BUILD ?? false }),
    });
    opened.unshift(app);
    if (demo) await loadDemoData(url);
    let closing: Promise<void> | undefined;
    return { url, port, app, db, bus, close: () => (closing ??= closeInOrder(opened)) };
  } catch (error) {
    await closeInOrder(opened).catch(() => undefined);
    throw error;
  }
}
