import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Module } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpApp, listen, serveSinglePageApp } from './http-app.js';

@Module({})
class EmptyModule {}

describe('serveSinglePageApp', () => {
  const built = mkdtempSync(join(tmpdir(), 'spa-built-'));
  const missing = join(built, 'not-built-yet');
  const apps: NestExpressApplication[] = [];
  let url = '';
  let waitingUrl = '';

  beforeAll(async () => {
    writeFileSync(join(built, 'index.html'), '<div id="root"></div>');
    writeFileSync(join(built, 'app.js'), 'console.log(1)');
    const start = async (dist: string, whileMissing?: string) => {
      const app = await createHttpApp(EmptyModule, { logLevel: false });
      serveSinglePageApp(app, dist, whileMissing === undefined ? {} : { whileMissing });
      await app.init();
      apps.push(app);
      return (await listen(app, { port: 0, log: false })).url;
    };
    url = await start(built);
    waitingUrl = await start(missing, '<p>building</p>');
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    rmSync(built, { recursive: true, force: true });
  });

  it('serves the files, and index.html for client-side routes', async () => {
    expect(await (await fetch(`${url}/app.js`)).text()).toBe('console.log(1)');
    for (const path of ['/', '/bills/c1-2017-10', '/customers']) expect(await (await fetch(`${url}${path}`)).text()).toBe('<div id="root"></div>');
  });

  it('leaves the API, health and well-known paths to the API (404 problem here)', async () => {
    for (const path of ['/api/nothing', '/health', '/.well-known/jwks.json']) {
      const response = await fetch(`${url}${path}`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
  });

  it('answers 503 with the waiting page while the app is not built', async () => {
    const response = await fetch(`${waitingUrl}/dashboard`);
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('<p>building</p>');
  });
});
