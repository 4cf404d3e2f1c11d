import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import type { CliCommand } from '@billing/service-kit';
import { cliEnvironment, createCliContext } from './context.js';
import { findCommand, helpText } from './commands.js';

const command = (...name: string[]): CliCommand => ({ name, usage: '<file>', description: `does ${name.join(' ')}`, run: async () => 0 });

describe('command lookup and help', () => {
  const commands = [command('import', 'users'), command('import', 'customers'), command('bill-run')];

  it('finds the longest matching name and passes the rest as arguments', () => {
    expect(findCommand(['import', 'users', 'seed/users.csv'], commands)).toMatchObject({ command: { name: ['import', 'users'] }, args: ['seed/users.csv'] });
    expect(findCommand(['bill-run', '2017-10'], commands)?.args).toEqual(['2017-10']);
    expect(findCommand(['import'], commands)).toBeUndefined();
    expect(findCommand(['nope'], commands)).toBeUndefined();
  });

  it('lists every command with its usage', () => {
    expect(helpText(commands)).toContain('import users <file>');
    expect(helpText(commands)).toContain('BILLING_URL');
  });
});

describe('CLI context against an HTTP server', () => {
  let server: Server;
  let baseUrl = '';
  const seen: { path: string; authorization: string | undefined }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push({ path: request.url ?? '', authorization: request.headers.authorization });
      if (request.url === '/api/session') {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          const { password } = JSON.parse(body) as { password: string };
          response.writeHead(password === 'right' ? 201 : 401, { 'content-type': 'application/json' });
          response.end(JSON.stringify(password === 'right' ? { accessToken: 'tok-1' } : { detail: 'Invalid credentials' }));
        });
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads the connection from the environment', () => {
    expect(cliEnvironment({})).toEqual({ baseUrl: 'http://localhost:3000', auth: undefined });
    expect(cliEnvironment({ BILLING_URL: 'http://x:1/', BILLING_TOKEN: 't' })).toEqual({ baseUrl: 'http://x:1', auth: { token: 't' } });
    expect(cliEnvironment({ BILLING_USER: 'u', BILLING_PASSWORD: 'p' }).auth).toEqual({ name: 'u', password: 'p' });
  });

  it('logs in once with the credentials and sends the token with every call', async () => {
    seen.length = 0;
    const context = createCliContext({ baseUrl, auth: { name: 'finance', password: 'right' } }, new PassThrough() as never);
    await context.api('/api/a');
    await context.api('/api/b');
    expect(seen).toEqual([
      { path: '/api/session', authorization: undefined },
      { path: '/api/a', authorization: 'Bearer tok-1' },
      { path: '/api/b', authorization: 'Bearer tok-1' },
    ]);
  });

  it('reports a failed login with the problem detail', async () => {
    const context = createCliContext({ baseUrl, auth: { name: 'finance', password: 'wrong' } }, new PassThrough() as never);
    await expect(context.api('/api/a')).rejects.toThrow('login as finance failed (401): Invalid credentials');
  });

  it('prints progress as lines when the output is not a terminal', () => {
    const out = new PassThrough();
    let written = '';
    out.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const progress = createCliContext({ baseUrl, auth: undefined }, out as never).progress('bill run', 10);
    for (let done = 0; done <= 10; done++) progress.update(done);
    progress.stop();
    expect(written.trim().split('\n')).toEqual(Array.from({ length: 11 }, (_, i) => `bill run: ${i}/10`));
  });
});
