import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { serveSinglePageApp } from '@billing/platform';

/** Newest modification time under `dir` (recursively), 0 when it does not exist. */
function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** Whether the web app's `dist/` is missing or older than its sources (`src/`, `index.html`). */
export function webAppIsStale(webDir: string): boolean {
  const built = join(webDir, 'dist', 'index.html');
  if (!existsSync(built)) return true;
  const sources = Math.max(newest(join(webDir, 'src')), existsSync(join(webDir, 'index.html')) ? statSync(join(webDir, 'index.html')).mtimeMs : 0);
  return sources > statSync(built).mtimeMs;
}

const BUILDING_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3">
<title>Billing platform</title></head><body><main><h1>Billing platform</h1>
<p role="status">The web app is being built; this page reloads by itself in a few seconds. The API is already up at <a href="/api/docs">/api/docs</a>.</p></main></body></html>`;

/**
 * Serves the web app (`<webDir>/dist`) at `/` with `index.html` for client-side routes; `/api/*`,
 * `/health` and `/.well-known/*` are left to the API. When `dist/` is missing or stale and `build` is
 * true, it is rebuilt in the background (`npm run build -w @billing/web`) so the API starts at once;
 * until the first build finishes, pages answer 503 with a page that reloads itself.
 * Does nothing when `webDir` has no web app.
 */
export function serveWebApp(app: NestExpressApplication, webDir: string, options: { build: boolean }): void {
  if (!existsSync(join(webDir, 'package.json')) && !existsSync(join(webDir, 'dist', 'index.html'))) return;
  const logger = new Logger('WebApp');
  if (options.build && existsSync(join(webDir, 'package.json')) && webAppIsStale(webDir)) {
    logger.log('building the web app in the background…');
    const child = spawn('npm', ['run', 'build', '--silent'], { cwd: webDir, stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.on('exit', (code) => {
      if (code === 0) logger.log('web app built');
      else logger.error(`web app build failed (exit ${code}): ${errors.slice(-2000)}`);
    });
  }
  serveSinglePageApp(app, join(webDir, 'dist'), { whileMissing: BUILDING_PAGE });
}
