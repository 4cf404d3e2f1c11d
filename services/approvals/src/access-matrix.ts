import type { MatrixRow } from '@billing/auth/testing';

const NO_BILL = '/api/bills/00000000-0000-0000-0000-000000000000';
const NO_CUSTOMER = '/api/customers/00000000-0000-0000-0000-000000000000/approval-policy';

/**
 * Who may call each route of the approvals service (design §8), one row per route with a concrete path.
 * approve/reject: Sales, Customer Success and Admin are let through (then the domain's eligibility
 * rules apply); Finance passes the guard but is refused by the domain with 403
 * `approval.forbidden_role` before any lookup, so the matrix lists it as refused. Reading the inbox,
 * a bill's approvals and policies: every role. Managing policies: Admin and Finance.
 */
export const approvalsAccessMatrix: MatrixRow[] = [
  { method: 'PATCH', route: '/api/bills/:id/approve', path: `${NO_BILL}/approve`, body: {}, access: ['CustomerSuccess', 'Sales', 'Admin'] },
  { method: 'PATCH', route: '/api/bills/:id/reject', path: `${NO_BILL}/reject`, body: { comment: 'no' }, access: ['CustomerSuccess', 'Sales', 'Admin'] },
  { method: 'GET', route: '/api/approvals', path: '/api/approvals?assignee=me&status=pending', access: ['Finance', 'CustomerSuccess', 'Sales', 'Admin'] },
  { method: 'GET', route: '/api/approvals/:billId', path: '/api/approvals/00000000-0000-0000-0000-000000000000', access: ['Finance', 'CustomerSuccess', 'Sales', 'Admin'] },
  { method: 'GET', route: '/api/customers/:customerId/approval-policy', path: NO_CUSTOMER, access: ['Finance', 'CustomerSuccess', 'Sales', 'Admin'] },
  { method: 'PUT', route: '/api/customers/:customerId/approval-policy', path: NO_CUSTOMER, body: { steps: null }, access: ['Admin', 'Finance'] },
];
