import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

/** The web package's folder and its build output. */
export const WEB_DIR = resolve(import.meta.dirname, '..');
export const DIST_DIR = join(WEB_DIR, 'dist');

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/**
 * Builds `dist/` with `vite build` when it is missing or older than `src/`, `index.html` or the Vite
 * config. @throws Error with vite's output when the build fails.
 */
export function ensureBuilt(): void {
  const index = join(DIST_DIR, 'index.html');
  const sources = Math.max(newestMtime(join(WEB_DIR, 'src')), newestMtime(join(WEB_DIR, 'index.html')), newestMtime(join(WEB_DIR, 'vite.config.ts')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const vite = join(WEB_DIR, '..', '..', 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: WEB_DIR, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** Whether the platform at `apiUrl` serves the web app itself at `/` (the lead's embedded runtime does, once wired). */
export async function servesWebApp(apiUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${apiUrl}/welcome`, { headers: { accept: 'text/html' } });
    return response.ok && (response.headers.get('content-type') ?? '').includes('text/html') && (await response.text()).includes('id="root"');
  } catch {
    return false;
  }
}

/**
 * The URL the browser should open: the platform itself when it serves the app, else a tiny local
 * server in front of it that serves `dist/` (with `index.html` for client routes) and forwards `/api`
 * and `/health` (headers, cookies and bodies as they are).
 */
export async function webOrigin(apiUrl: string): Promise<{ url: string; close: () => Promise<void>; proxied: boolean }> {
  if (await servesWebApp(apiUrl)) return { url: apiUrl, close: async () => undefined, proxied: false };
  const target = new URL(apiUrl);
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    if (path.startsWith('/api/') || path === '/api' || path === '/health') {
      const upstream = httpRequest(
        { hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => {
        res.writeHead(502, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify({ status: 502, title: 'Bad gateway', code: 'gateway.unreachable' }));
      });
      req.pipe(upstream);
      return;
    }
    const file = normalize(join(DIST_DIR, path));
    const servable = file.startsWith(DIST_DIR) && existsSync(file) && statSync(file).isFile();
    const chosen = servable ? file : join(DIST_DIR, 'index.html');
    res.writeHead(200, { 'content-type': TYPES[extname(chosen)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(chosen).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    proxied: true,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
