import type { MatrixRow } from '@billing/auth/testing';

const EVERY_ROLE = ['Finance', 'CustomerSuccess', 'Sales', 'Admin'] as const;
const BILL = '/api/bills/00000000-0000-0000-0000-000000000000-2017-10';

/**
 * Who may call each billing route (design §8), one row per route with a concrete request. Decided:
 * - every role reads bills, their actions and bill runs, and comments on bills;
 * - Finance alone drafts, adjusts (unit price, lines), submits, sends, voids and reverts;
 * - Finance and Admin start bill runs and import history; Admin alone replays read models;
 * - approve/reject are the approvals service's routes, not billing's.
 * The requests use an unknown bill or a future period, so allowed callers get 4xx about the request.
 */
export const billingAccessMatrix: MatrixRow[] = [
  { method: 'GET', route: '/api/bills', access: EVERY_ROLE },
  { method: 'GET', route: '/api/bills/:billId', path: BILL, access: EVERY_ROLE },
  { method: 'GET', route: '/api/bills/:billId/actions', path: `${BILL}/actions`, access: EVERY_ROLE },
  { method: 'POST', route: '/api/bills', body: { customerId: 'nobody', period: '2017-10' }, access: ['Finance'] },
  { method: 'POST', route: '/api/bills/import', body: { bills: [] }, access: ['Finance', 'Admin'] },
  { method: 'PATCH', route: '/api/bills/:billId', path: BILL, body: { unitPrice: '0.01', reason: 'matrix' }, access: ['Finance'] },
  { method: 'POST', route: '/api/bills/:billId/lines', path: `${BILL}/lines`, body: { kind: 'charge', description: 'x', quantity: '1', unitPrice: '1' }, access: ['Finance'] },
  { method: 'POST', route: '/api/bills/:billId/lines/:lineId/remove', path: `${BILL}/lines/x/remove`, body: { reason: 'matrix' }, access: ['Finance'] },
  { method: 'POST', route: '/api/bills/:billId/submit', path: `${BILL}/submit`, body: {}, access: ['Finance'] },
  { method: 'POST', route: '/api/bills/:billId/send', path: `${BILL}/send`, body: {}, access: ['Finance'] },
  { method: 'POST', route: '/api/bills/:billId/void', path: `${BILL}/void`, body: { reason: 'matrix' }, access: ['Finance'] },
  { method: 'POST', route: '/api/bills/:billId/comments', path: `${BILL}/comments`, body: { comment: 'matrix' }, access: EVERY_ROLE },
  { method: 'POST', route: '/api/bills/:billId/actions/:actionId/revert', path: `${BILL}/actions/x.2/revert`, body: { reason: 'matrix' }, access: ['Finance'] },
  { method: 'POST', route: '/api/bill-runs', body: { period: '2999-01' }, access: ['Finance', 'Admin'] },
  { method: 'GET', route: '/api/bill-runs', access: EVERY_ROLE },
  { method: 'GET', route: '/api/bill-runs/:runId', path: '/api/bill-runs/run-2999-01', access: EVERY_ROLE },
  { method: 'POST', route: '/api/billing/replay', access: ['Admin'] },
  { method: 'GET', route: '/api/billing/replay', access: ['Admin'] },
];
