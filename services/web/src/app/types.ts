/** Shapes of the platform's HTTP API as the web app reads them (see the services' controllers). */

/** Role codes (`@billing/auth` ROLES). */
export type Role = 'Finance' | 'CustomerSuccess' | 'Sales' | 'Admin';

/** Human labels of the roles. */
export const ROLE_LABELS: Record<Role, string> = { Finance: 'Finance', CustomerSuccess: 'Customer Success', Sales: 'Sales', Admin: 'Admin' };

/** Every role, in the order the sign-up form offers them. */
export const ROLES: Role[] = ['Finance', 'CustomerSuccess', 'Sales', 'Admin'];

/** A money amount: integer minor units (string), ISO 4217 currency and the formatted major amount. */
export interface Money {
  amountMinor: string;
  currency: string;
  amount?: string | null;
}

/** A page of a list endpoint. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** RFC 9457 problem details with the platform's stable `code`. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: { field: string; message: string }[];
}

/** A user (identity `UserView`). */
export interface User {
  userId: string;
  name: string;
  email: string | null;
  role: Role | null;
  roleLabel: string | null;
  requestedRole: Role | null;
  active: boolean;
  hasPassword: boolean;
  registeredAt: string;
}

/** `POST /api/session` and `/api/session/refresh` answer. */
export interface SessionResponse {
  accessToken: string;
  tokenType: 'Bearer';
  expiresAt: string;
  sessionId: string;
  user: User;
}

/** Bill statuses (`rejected` sends a bill back to `draft`). */
export type BillStatus = 'draft' | 'pending_approval' | 'approved' | 'rejected' | 'sent' | 'void';

/** A row of `GET /api/bills`. */
export interface BillSummary {
  billId: string;
  customerId: string;
  customerName: string | null;
  csmUserId: string | null;
  period: string;
  status: BillStatus;
  amount: Money;
  unitPrice: string;
  usageApiCalls: string;
  includedApiCalls: string;
  overageUnits: string;
  version: number;
  updatedAt: string | null;
}

/** `GET /api/bills` answer: a page plus totals per currency over every matching bill. */
export interface BillList extends Page<BillSummary> {
  totals: (Money & { count: number })[];
}

/** One action of a bill's history. */
export interface BillAction {
  actionId: string;
  version: number;
  type: string;
  actor: { userId: string; role: string; name: string };
  at: string;
  comment: string | null;
  reverted: boolean;
  revertedBy: string | null;
  details: Record<string, unknown>;
}

/** The contract terms a bill used. */
export interface BillTerms {
  monthlyApiLimit: string | number;
  overageUnitPrice: string;
  currency: string;
  startDate: string;
  endDate: string | null;
  requireCsmApproval: boolean;
  overageGraceMonths: number;
  effectiveFrom?: string;
}

/** `GET /api/bills/:id` answer. */
export interface BillDetail {
  billId: string;
  customerId: string;
  customerName: string | null;
  csmUserId: string | null;
  period: string;
  status: BillStatus;
  /** The version shown (earlier than `currentVersion` when viewing the past). */
  version: number;
  currentVersion: number;
  usageApiCalls: string;
  includedApiCalls: string;
  overageUnits: string;
  unitPrice: string;
  overageAmount: Money;
  lines: { lineId: string; kind: string; description: string; quantity: string; unitPrice: string; amount: Money }[];
  amount: Money;
  terms: BillTerms;
  actions: BillAction[];
}

/** A bill run's progress. */
export interface BillRun {
  runId: string;
  period: string;
  status: string;
  total: number;
  processed: number;
  drafted: number;
  skipped: number | Record<string, number>;
  failed: number;
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  created?: boolean;
}

/** A person named in an approval view. */
export interface Person {
  userId: string;
  name: string;
  role: string | null;
}

/** An approval process step. */
export interface ApprovalStep {
  index: number;
  label: string;
  /** Who may approve the step: users of some roles, or the customer's CSM. */
  approver?: { kind: 'roles'; roles: string[] } | { kind: 'customer_csm'; csm: Person | null };
  status: 'approved' | 'open' | 'waiting' | 'rejected' | 'cancelled';
  actedBy: Person | null;
  actedAt: string | null;
  comment: string | null;
}

/** One fact of an approval process's history (who, when, comment). */
export interface ApprovalHistoryEntry {
  action: 'submitted' | 'step_approved' | 'approved' | 'rejected' | 'cancelled';
  at: string;
  actor: Person | null;
  stepIndex: number | null;
  comment: string;
}

/** An entry of the approvals inbox. */
export interface InboxItem {
  processId: string;
  billId: string;
  status: string;
  customerId: string;
  period: string;
  amount: Money;
  submittedBy: Person;
  openedAt: string;
  openStepIndex: number | null;
  steps: ApprovalStep[];
  history: ApprovalHistoryEntry[];
  myStatus: 'pending' | 'approved' | 'rejected';
}

/** `GET /api/approvals/:billId` answer. */
export interface ApprovalDetail {
  billId: string;
  current: Omit<InboxItem, 'myStatus'>;
  past: Omit<InboxItem, 'myStatus'>[];
}

/** Contract terms of a customer. */
export interface ContractTerms {
  monthlyApiLimit: number;
  overageUnitPrice: string;
  currency: string;
  startDate: string;
  endDate: string | null;
  requireCsmApproval: boolean;
  overageGraceMonths: number;
}

/** A customer (customers `CustomerView`). */
export interface Customer {
  customerId: string;
  externalKey: string;
  name: string;
  billingAddress: string;
  billingEmail: string;
  csmUserId: string | null;
  /** The CSM's name, when the customers API gives it (it does not yet: the dashboard then shows a short id). */
  csmName?: string | null;
  terms: ContractTerms;
  termsPeriod?: string;
  inContract?: boolean;
  termsHistory: { effectiveFrom: string; terms: ContractTerms; changedAt?: string }[];
  version: number;
}

/** One month of a usage series. */
export interface UsagePoint {
  period: string;
  apiCalls: number;
  limit: number | string;
  overageUnits: number;
  closed: boolean;
}

/** `GET /api/customers/:id/usage` answer. */
export interface UsageSeries {
  customerId: string;
  from: string;
  to: string;
  items: UsagePoint[];
  projection: null | {
    period: string;
    projectedApiCalls: number;
    projectedOverageUnits: number;
    projectedOverageAmount: Money;
  };
}
