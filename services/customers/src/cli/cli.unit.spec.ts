import { describe, expect, it } from '@jest/globals';
import type { CliContext } from '@billing/service-kit';
import { customersCommands } from './index.js';

function context(response: { status: number; body: unknown }) {
  const lines: string[] = [];
  const calls: { path: string; init?: RequestInit }[] = [];
  const ctx: CliContext = {
    baseUrl: 'http://localhost:3000',
    api: async (path, init) => {
      calls.push({ path, init });
      return new Response(JSON.stringify(response.body), { status: response.status, headers: { 'content-type': 'application/json' } });
    },
    print: (line) => lines.push(line),
    progress: () => ({ setTotal: () => undefined, update: () => undefined, stop: () => undefined }),
    readFile: async (path) => `csv of ${path}`,
  };
  return { ctx, lines, calls };
}

describe('customers CLI commands', () => {
  const [importCustomers, importUsages] = customersCommands;

  it('import customers posts the file as text/csv and prints the report', async () => {
    const { ctx, lines, calls } = context({ status: 200, body: { created: 10, unchanged: 0, rejected: [] } });
    expect(await importCustomers!.run(['seed/customers.csv'], ctx)).toBe(0);
    expect(calls[0]).toMatchObject({ path: '/api/customers/import', init: { method: 'POST', body: 'csv of seed/customers.csv' } });
    expect(lines).toEqual(['customers: 10 created, 0 unchanged, 0 rejected']);
  });

  it('import usages lists rejected lines and exits 1', async () => {
    const { ctx, lines } = context({ status: 200, body: { created: 47, corrected: 0, unchanged: 0, rejected: [{ line: 3, field: 'api_usage', reason: 'must not be negative' }] } });
    expect(await importUsages!.run(['usages.csv'], ctx)).toBe(1);
    expect(lines).toEqual(['usages: 47 created, 0 corrected, 0 unchanged, 1 rejected', '  line 3: api_usage: must not be negative']);
  });

  it('exits 2 without a file argument and 1 on an API error', async () => {
    expect(await importUsages!.run([], context({ status: 200, body: {} }).ctx)).toBe(2);
    const failing = context({ status: 403, body: { code: 'auth.forbidden', detail: 'no' } });
    expect(await importCustomers!.run(['x.csv'], failing.ctx)).toBe(1);
    expect(failing.lines[0]).toBe('import failed: 403 auth.forbidden no');
  });
});
