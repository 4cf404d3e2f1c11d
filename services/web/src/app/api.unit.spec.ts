import { describe, expect, it } from '@jest/globals';
import { configureStore } from '@reduxjs/toolkit';
import type { BaseQueryApi } from '@reduxjs/toolkit/query';
import { authSlice, sessionStarted } from './auth';
import { makeBaseQuery, qs } from './api';
import type { SessionResponse } from './types';

const session = (token: string): SessionResponse => ({
  accessToken: token,
  tokenType: 'Bearer',
  expiresAt: '2026-11-21T21:00:00.000Z',
  sessionId: 's1',
  user: { userId: 'u2', name: 'User2', email: null, role: 'Finance', roleLabel: 'Finance', requestedRole: null, active: true, hasPassword: true, registeredAt: '2026-11-21T20:00:00.000Z' },
});

/** A fake server: answers by path, records every request (path, method, Authorization header). */
function fakeServer(routes: Record<string, (auth: string | null) => { status: number; body?: unknown }>) {
  const calls: { path: string; method: string; auth: string | null }[] = [];
  const fetchFn = (async (input: RequestInfo | URL) => {
    const request = input as Request;
    const path = new URL(request.url).pathname;
    const auth = request.headers.get('authorization');
    calls.push({ path, method: request.method, auth });
    const route = routes[`${request.method} ${path}`];
    const answer = route ? route(auth) : { status: 404, body: { status: 404, code: 'not_found' } };
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { fetchFn, calls };
}

function setup(fetchFn: typeof fetch) {
  const store = configureStore({ reducer: { auth: authSlice.reducer } });
  store.dispatch(sessionStarted(session('old')));
  const baseQuery = makeBaseQuery({ baseUrl: 'http://app.test/', fetchFn });
  const api = { dispatch: store.dispatch, getState: store.getState, signal: new AbortController().signal, abort: () => undefined, extra: undefined, endpoint: 'x', type: 'query' } as unknown as BaseQueryApi;
  return { store, run: (url: string) => baseQuery(url, api, {}) };
}

describe('makeBaseQuery (access token in memory, refreshed through the cookie on 401)', () => {
  it('sends the bearer token, and on a 401 refreshes once and retries with the new token', async () => {
    const server = fakeServer({
      'GET /api/bills': (auth) => (auth === 'Bearer new' ? { status: 200, body: { items: [] } } : { status: 401, body: { status: 401, code: 'auth.token_expired' } }),
      'POST /api/session/refresh': () => ({ status: 200, body: session('new') }),
    });
    const { store, run } = setup(server.fetchFn);
    const result = await run('api/bills');
    expect(result.data).toEqual({ items: [] });
    expect(server.calls.map((c) => `${c.method} ${c.path} ${c.auth}`)).toEqual(['GET /api/bills Bearer old', 'POST /api/session/refresh Bearer old', 'GET /api/bills Bearer new']);
    expect(store.getState().auth.accessToken).toBe('new');
  });

  it('ends the session when the refresh is refused, and answers the 401', async () => {
    const server = fakeServer({
      'GET /api/bills': () => ({ status: 401, body: { status: 401 } }),
      'POST /api/session/refresh': () => ({ status: 401, body: { status: 401, code: 'identity.invalid_refresh_token' } }),
    });
    const { store, run } = setup(server.fetchFn);
    const result = await run('api/bills');
    expect(result.error?.status).toBe(401);
    expect(store.getState().auth).toEqual({ accessToken: null, user: null, status: 'signedOut' });
    expect(server.calls).toHaveLength(2);
  });

  it('shares one refresh between concurrent 401s', async () => {
    const server = fakeServer({
      'GET /api/bills': (auth) => (auth === 'Bearer new' ? { status: 200, body: 1 } : { status: 401 }),
      'GET /api/approvals': (auth) => (auth === 'Bearer new' ? { status: 200, body: 2 } : { status: 401 }),
      'POST /api/session/refresh': () => ({ status: 200, body: session('new') }),
    });
    const { run } = setup(server.fetchFn);
    const [a, b] = await Promise.all([run('api/bills'), run('api/approvals')]);
    expect([a.data, b.data]).toEqual([1, 2]);
    expect(server.calls.filter((c) => c.path === '/api/session/refresh')).toHaveLength(1);
  });

  it('does not refresh for a failed login (session routes answer their own 401)', async () => {
    const server = fakeServer({ 'GET /api/session': () => ({ status: 401 }) });
    const { run } = setup(server.fetchFn);
    expect((await run('api/session')).error?.status).toBe(401);
    expect(server.calls).toHaveLength(1);
  });
});

describe('qs', () => {
  it('keeps defined, non-empty values only', () => {
    expect(qs({ status: 'draft', period: '', customerId: undefined, limit: 50, offset: 0 })).toBe('?status=draft&limit=50&offset=0');
    expect(qs({})).toBe('');
  });
});
