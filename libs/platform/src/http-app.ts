import type { AddressInfo } from 'node:net';
import { Logger, type DynamicModule, type LogLevel, type Type } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import type { LogLevelName } from './config.js';
import { ProblemDetailsFilter } from './problem-details.js';
import { ZodValidationPipe } from './validation.js';

/** Options of {@link createHttpApp}. */
export interface HttpAppOptions {
  /** Largest accepted JSON / urlencoded body, in bytes or as `'1mb'`, `'100kb'`. Default `'1mb'`; larger → 413 problem. */
  bodyLimit?: number | string;
  /** Least severe level logged (default `info`); `false` silences Nest's logger (tests). */
  logLevel?: LogLevelName | false;
  /** CORS: `true` allows every origin (default false). */
  cors?: boolean;
}

/** Nest log levels enabled by our level name (`info` → fatal, error, warn, log). */
export function nestLogLevels(level: LogLevelName): LogLevel[] {
  const order: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
  const index = { fatal: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 }[level];
  return order.slice(0, index + 1);
}

/**
 * Creates (does not start) the HTTP application of `rootModule` on Nest 12 + Express:
 * - every error answered as an RFC 9457 problem ({@link ProblemDetailsFilter}), unknown routes included (404 `http.not_found`);
 * - a global {@link ZodValidationPipe} (arguments declared `@Body({ schema })` answer 400 `request.invalid`);
 * - JSON and urlencoded body parsers limited to `bodyLimit` (413 `http.payload_too_large` beyond, 400 on malformed JSON);
 * - `x-powered-by` off; proxies on loopback and private networks trusted for the client address.
 * Shutdown: call `app.close()` (runs the modules' destroy/shutdown hooks and closes the server), or
 * use {@link closeOnSignals} to do so on SIGINT/SIGTERM together with the resources the module uses
 * (Nest's own `enableShutdownHooks()` is not used: it re-raises the signal, so the process would not
 * exit 0, and it cannot close the database after every module has shut down).
 * @throws whatever the modules' init hooks throw (e.g. a failed migration).
 */
export async function createHttpApp(rootModule: Type | DynamicModule, options: HttpAppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(rootModule, {
    bodyParser: false,
    logger: options.logLevel === false ? false : nestLogLevels(options.logLevel ?? 'info'),
    abortOnError: false,
  });
  const limit = options.bodyLimit ?? '1mb';
  app.useBodyParser('json', { limit });
  app.useBodyParser('urlencoded', { limit, extended: true });
  app.disable('x-powered-by');
  // Behind the api-gateway (or another proxy on a private network), request.ip is the client's
  // address from X-Forwarded-For, so per-address rules (login throttling) see real clients.
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  if (options.cors) app.enableCors();
  app.useGlobalFilters(new ProblemDetailsFilter(app.get(HttpAdapterHost)));
  app.useGlobalPipes(new ZodValidationPipe());
  return app;
}

/** Options of {@link listen}. */
export interface ListenOptions {
  /** TCP port; 0 picks a free one (the URL returned carries the real port). */
  port: number;
  /** Interface to bind (default: all interfaces). */
  host?: string;
  /** Where the `listening on <url>` line goes: a function, or `false` for none. Default: Nest's logger. */
  log?: ((url: string) => void) | false;
}

/** Where an application listens. */
export interface Listening {
  /** `http://localhost:<port>` (the bound port, also when 0 was asked for). */
  url: string;
  port: number;
}

/**
 * Starts the HTTP server and logs `Listening on http://localhost:<port>` (or calls `options.log`).
 * @throws Error when the port cannot be bound (e.g. EADDRINUSE).
 */
export async function listen(app: NestExpressApplication, options: ListenOptions): Promise<Listening> {
  if (options.host) await app.listen(options.port, options.host);
  else await app.listen(options.port);
  const address = app.getHttpServer().address() as AddressInfo | string | null;
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const url = `http://localhost:${port}`;
  if (options.log === undefined) new Logger('Http').log(`Listening on ${url}`);
  else if (options.log) options.log(url);
  return { url, port };
}

/** Something to release at shutdown: a bus, a database, an application. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * Closes `closables` one after another in the given order (e.g. the HTTP application, then the bus,
 * then the database). Every one is attempted even if an earlier one fails.
 * @throws AggregateError of the failures, after all were attempted.
 */
export async function closeInOrder(closables: readonly Closable[]): Promise<void> {
  const failures: unknown[] = [];
  for (const closable of closables) {
    try {
      await closable.close();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} resource(s) failed to close`);
}

/** Options of {@link closeOnSignals}. */
export interface SignalOptions {
  /** Default `['SIGINT', 'SIGTERM']`. */
  signals?: readonly NodeJS.Signals[];
  /** Called with 0 after a clean close, 1 when closing failed. Default `process.exit`. */
  exit?: (code: number) => void;
}

/**
 * On the first SIGINT or SIGTERM, runs `close` once and exits 0 (1 if `close` throws, after printing
 * the error to stderr). A second signal while closing is ignored.
 * @returns a function that removes the signal listeners.
 */
export function closeOnSignals(close: () => Promise<void>, options: SignalOptions = {}): () => void {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let closing = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    new Logger('Shutdown').log(`${signal} received, shutting down`);
    close().then(
      () => exit(0),
      (error: unknown) => {
        process.stderr.write(`Shutdown failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}

/** Paths a single-page app never answers: the API, health and well-known documents. */
const NOT_THE_APP = /^\/(api|health|\.well-known)(\/|$)/;

/**
 * Serves a built single-page app (`distDir`, e.g. `services/web/dist`) at `/`: its files, and
 * `index.html` for every other GET outside `/api`, `/health` and `/.well-known` (client-side routes).
 * While `index.html` does not exist yet, such requests get 503 with `whileMissing` (an HTML page) when
 * given, else fall through (404). Register before the application initialises.
 */
export function serveSinglePageApp(app: NestExpressApplication, distDir: string, options: { whileMissing?: string } = {}): void {
  const index = join(distDir, 'index.html');
  app.useStaticAssets(distDir, { index: false });
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' || NOT_THE_APP.test(request.path)) return next();
    if (existsSync(index)) return response.sendFile(index);
    if (options.whileMissing === undefined) return next();
    response.status(503).type('html').send(options.whileMissing);
  });
}
