import type { MatrixRow } from '@billing/auth/testing';

/** A user id that exists nowhere (so reads answer 404 and writes change nothing). */
const NOBODY = '00000000-0000-4000-8000-000000000000';

/**
 * The identity service's rows of the role × endpoint matrix: one per route, with concrete paths and
 * bodies, self-contained (no data needed: "let through" means neither 401 nor 403, e.g. 404/400/415).
 * Login rows send an invalid body (400): a failed login is a 401 by design. `GET /api/users/:userId` is for an Admin or the user themself: another user's id is refused to
 * every other role.
 */
export const identityAccessMatrix: MatrixRow[] = [
  { method: 'GET', route: '/.well-known/jwks.json', access: 'anyone' },
  { method: 'POST', route: '/api/users', body: { name: '', password: 'x' }, access: 'anyone' },
  { method: 'GET', route: '/api/users', access: ['Admin'] },
  { method: 'POST', route: '/api/users/import', body: {}, access: ['Admin'] },
  { method: 'POST', route: '/api/users/password-setup', body: { token: 'not-a-token', password: 'a-long-enough-password' }, access: 'anyone' },
  { method: 'GET', route: '/api/users/:userId', path: `/api/users/${NOBODY}`, access: ['Admin'] },
  { method: 'PATCH', route: '/api/users/:userId', path: `/api/users/${NOBODY}`, body: { role: 'Sales' }, access: ['Admin'] },
  { method: 'POST', route: '/api/session', body: { name: '' }, access: 'anyone' },
  { method: 'POST', route: '/api/session/refresh', access: 'anyone' },
  { method: 'GET', route: '/api/session', access: 'authenticated' },
  { method: 'DELETE', route: '/api/session', access: 'authenticated' },
];
