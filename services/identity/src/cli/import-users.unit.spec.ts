import { describe, expect, it } from '@jest/globals';
import type { CliContext } from '@billing/service-kit';
import { identityCommands, importUsersCommand } from './index.js';

function fakeContext(response: Response): { context: CliContext; lines: string[]; requests: { path: string; init?: RequestInit }[] } {
  const lines: string[] = [];
  const requests: { path: string; init?: RequestInit }[] = [];
  const context: CliContext = {
    baseUrl: 'http://platform',
    api: async (path, init) => {
      requests.push({ path, init });
      return response;
    },
    print: (line) => lines.push(line),
    progress: () => ({ setTotal: () => undefined, update: () => undefined, stop: () => undefined }),
    readFile: async (path) => `csv of ${path}`,
  };
  return { context, lines, requests };
}

describe('import users <file>', () => {
  it('is the identity service’s CLI command', () => {
    expect(identityCommands.map((command) => command.name.join(' '))).toEqual(['import users']);
  });

  it('posts the CSV as text/csv and prints the counts, the rejected lines and the setup tokens', async () => {
    const report = {
      created: 1,
      existing: 4,
      rejected: [{ line: 7, reason: 'role is empty' }],
      setupTokens: [{ userId: 'u-1', name: 'User1', token: 'tok-1', expiresAt: '2026-11-28T10:00:00.000Z' }],
    };
    const { context, lines, requests } = fakeContext(new Response(JSON.stringify(report), { status: 200 }));
    expect(await importUsersCommand.run(['users.csv'], context)).toBe(0);
    expect(requests).toEqual([{ path: '/api/users/import', init: { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'csv of users.csv' } }]);
    expect(lines).toEqual([
      'users: 1 created, 4 already present, 1 rejected',
      '  line 7: rejected: role is empty',
      'one-time password-setup tokens (POST /api/users/password-setup { token, password }):',
      '  User1\tu-1\ttok-1\texpires 2026-11-28T10:00:00.000Z',
    ]);
  });

  it('prints the problem and exits 1 when the API refuses; 2 on bad usage', async () => {
    const { context, lines } = fakeContext(new Response(JSON.stringify({ code: 'auth.forbidden', detail: 'This action is for Admin' }), { status: 403 }));
    expect(await importUsersCommand.run(['users.csv'], context)).toBe(1);
    expect(lines).toEqual(['error 403 auth.forbidden: This action is for Admin']);
    expect(await importUsersCommand.run([], context)).toBe(2);
  });
});
