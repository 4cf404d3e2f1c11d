import type { MatrixRow } from '@billing/auth/testing';

const ANY_ROLE = ['Finance', 'CustomerSuccess', 'Sales', 'Admin'] as const;
const WRITERS = ['Finance', 'Admin'] as const;
/** A customer id no customer has (reads answer 404 to those let through). */
const NOBODY = '00000000-0000-4000-8000-000000000000';

/**
 * The customers service's role × endpoint matrix (issue 4): one row per route, with a concrete
 * request whose answer, for callers let through, is about the request itself (200/201/400/404/409),
 * never 401/403. Reads: any role; writes, imports, ingestion, totals and month close: Finance, Admin.
 */
export const customersAccessMatrix: MatrixRow[] = [
  /** The platform's health route, mounted by `startServices` beside the service. */
  { method: 'GET', route: '/health', access: 'anyone' },
  { method: 'GET', route: '/api/customers', access: ANY_ROLE },
  { method: 'GET', route: '/api/customers/:customerId', path: `/api/customers/${NOBODY}`, access: ANY_ROLE },
  { method: 'GET', route: '/api/customers/:customerId/terms', path: `/api/customers/${NOBODY}/terms?period=2017-05`, access: ANY_ROLE },
  { method: 'GET', route: '/api/customers/:customerId/usage', path: `/api/customers/${NOBODY}/usage`, access: ANY_ROLE },
  { method: 'POST', route: '/api/customers', body: {}, access: WRITERS },
  { method: 'PATCH', route: '/api/customers/:customerId', path: `/api/customers/${NOBODY}`, body: {}, access: WRITERS },
  { method: 'POST', route: '/api/customers/import', body: { csv: 'name\n' }, access: WRITERS },
  { method: 'GET', route: '/api/usage', access: ANY_ROLE },
  { method: 'POST', route: '/api/usage/events', body: { events: [] }, access: WRITERS },
  { method: 'POST', route: '/api/usage/totals', body: [], access: WRITERS },
  { method: 'POST', route: '/api/usage/periods/:period/close', path: '/api/usage/periods/2999-01/close', body: {}, access: WRITERS },
  { method: 'POST', route: '/api/usage/import', body: { csv: 'customer\n' }, access: WRITERS },
];
