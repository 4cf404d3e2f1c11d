import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { CliContext, CliProgress } from '@billing/service-kit';

/** How the CLI reaches the platform (from the environment, see {@link cliEnvironment}). */
export interface CliConnection {
  /** Base URL of the platform, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** A bearer token, or credentials to log in with (`POST /api/session`). */
  auth: { token: string } | { name: string; password: string } | undefined;
}

/**
 * Reads `BILLING_URL` (default `http://localhost:3000`), and `BILLING_TOKEN` or `BILLING_USER` +
 * `BILLING_PASSWORD` from `env`.
 */
export function cliEnvironment(env: Record<string, string | undefined> = process.env): CliConnection {
  const baseUrl = (env['BILLING_URL'] ?? 'http://localhost:3000').replace(/\/+$/, '');
  if (env['BILLING_TOKEN']) return { baseUrl, auth: { token: env['BILLING_TOKEN'] } };
  if (env['BILLING_USER'] && env['BILLING_PASSWORD']) return { baseUrl, auth: { name: env['BILLING_USER'], password: env['BILLING_PASSWORD'] } };
  return { baseUrl, auth: undefined };
}

/** A progress bar on a terminal; one line per 10 % (and at the end) otherwise. */
function progressBar(title: string, total: number | undefined, out: NodeJS.WriteStream): CliProgress {
  if (out.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${title} [{bar}] {percentage}% | {value}/{total} | {detail}`, hideCursor: true, stream: out },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total ?? 0, 0, { detail: '' });
    return {
      setTotal: (value) => bar.setTotal(value),
      update: (done, detail) => bar.update(done, { detail: detail ?? '' }),
      stop: () => bar.stop(),
    };
  }
  let max = total ?? 0;
  let lastDecile = -1;
  return {
    setTotal: (value) => {
      max = value;
    },
    update: (done, detail) => {
      const decile = max > 0 ? Math.floor((done / max) * 10) : 0;
      if (decile !== lastDecile) {
        lastDecile = decile;
        out.write(`${title}: ${done}/${max}${detail ? ` ${detail}` : ''}\n`);
      }
    },
    stop: () => undefined,
  };
}

/**
 * The {@link CliContext} commands run with: `api` adds the bearer token (logging in once with the
 * credentials when no token was given).
 * @throws Error from `api` when the login fails (message carries the problem's detail).
 */
export function createCliContext(connection: CliConnection, out: NodeJS.WriteStream = process.stdout): CliContext {
  let token: Promise<string | undefined> | undefined;
  const login = async (): Promise<string | undefined> => {
    const auth = connection.auth;
    if (!auth) return undefined;
    if ('token' in auth) return auth.token;
    const response = await fetch(`${connection.baseUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: auth.name, password: auth.password }),
    });
    const body = (await response.json().catch(() => ({}))) as { accessToken?: string; detail?: string };
    if (!response.ok || !body.accessToken) throw new Error(`login as ${auth.name} failed (${response.status}): ${body.detail ?? 'no access token'}`);
    return body.accessToken;
  };
  return {
    baseUrl: connection.baseUrl,
    async api(path, init = {}) {
      const bearer = await (token ??= login());
      const headers = new Headers(init.headers);
      if (bearer && !headers.has('authorization')) headers.set('authorization', `Bearer ${bearer}`);
      return fetch(`${connection.baseUrl}${path}`, { ...init, headers });
    },
    print: (line) => void out.write(`${line}\n`),
    progress: (title, total) => progressBar(title, total, out),
    readFile: (path) => readFile(resolve(process.cwd(), path), 'utf8'),
  };
}
