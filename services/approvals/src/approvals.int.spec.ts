import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import { listRoutes } from '@billing/auth';
import { checkAccessMatrix, createTestTokens, uncoveredRoutes, type TestTokens } from '@billing/auth/testing';
import { PGliteExecutor, type SqlExecutor } from '@billing/database';
import { MemoryBus } from '@billing/messaging';
import { waitUntil } from '@billing/messaging/testing';
import { startTestServices } from '@billing/service-kit/testing';
import { approvalsAccessMatrix } from './access-matrix.js';
import { approvalsService } from './approvals.module.js';
import type { InboxItem } from './http/approvals.controller.js';
import type { ProcessView, StepView } from './http/views.js';
import { createHarness, seedUsers, terms, type Detail, type TestUser } from './testing/harness.js';

// The acceptance scenario of issue 6, with the approvals service alone on PGlite + MemoryBus: the test
// publishes what identity, customers and billing would, and watches what approvals publishes.

const users = seedUsers();
const customer1 = randomUUID();
const customer2 = randomUUID();

describe('approvals service over PGlite + MemoryBus', () => {
  let db: SqlExecutor;
  const bus = new MemoryBus({ redeliveryDelayMs: 5 });
  let app: NestExpressApplication;
  let url = '';
  let tokens: TestTokens;
  const h = createHarness({ bus, url: () => url, tokens: () => tokens, admin: users.admin });
  const { publish, call, approve, reject, eventsOf, waitForProcess } = h;
  const submit = (billId: string, customerId: string, options: { actionId?: string; amountMinor?: bigint; submitter?: TestUser; drafter?: TestUser } = {}) =>
    h.submit(billId, customerId, { submitter: users.user2, drafter: users.user2, ...options });

  beforeAll(async () => {
    db = await PGliteExecutor.open();
    tokens = await createTestTokens();
    ({ app, url } = await startTestServices({
      services: [{ definition: approvalsService, schema: 'approvals' }],
      db,
      bus,
      jwks: tokens.jwks,
      auth: { schema: 'edge', groupId: 'edge.auth' },
    }));
    await h.observe();

    for (const user of Object.values(users)) {
      await publish('identity.v1.UserRegistered', { userId: user.userId, name: user.name, role: user.role, active: true }, user.userId);
    }
    await publish('customers.v1.CustomerRegistered', { customerId: customer1, name: 'Customer1', billingAddress: '', billingEmail: 'c1@example.com', terms: terms(false) }, customer1);
    await publish(
      'customers.v1.CustomerRegistered',
      { customerId: customer2, name: 'Customer2', billingAddress: '', billingEmail: 'c2@example.com', csmUserId: users.user3.userId, terms: terms(true) },
      customer2,
    );
    await waitUntil('both customers are known', async () => (await call(users.admin, 'GET', `/api/customers/${customer2}/approval-policy`)).status === 200 && (await call(users.admin, 'GET', `/api/customers/${customer1}/approval-policy`)).status === 200);
  }, 60_000);

  afterAll(async () => {
    await h.stop();
    await app?.close();
    await bus?.close();
    await db?.close();
  });

  it('resolves policies from the customers’ terms: Customer2 (require_csm_approval) needs its CSM then Sales', async () => {
    const policy2 = await call(users.user1, 'GET', `/api/customers/${customer2}/approval-policy`);
    expect(policy2.body).toMatchObject({ source: 'require_csm_approval', custom: false, steps: [{ index: 0, label: "Customer's CSM" }, { index: 1, label: 'Sales' }] });
    const policy1 = await call(users.user1, 'GET', `/api/customers/${customer1}/approval-policy`);
    expect(policy1.body).toMatchObject({ source: 'default', steps: [{ label: 'Sales or Customer Success', approver: { kind: 'roles', roles: ['Sales', 'CustomerSuccess'] } }] });
  });

  it('Customer2: Sales first gets 409, User4 and Finance get 403, User3 then Sales approve, the same user twice gets 409, and BillApprovalGranted is published', async () => {
    const billId = randomUUID();
    await submit(billId, customer2);
    const opened = await waitForProcess(billId);
    expect(opened.current).toMatchObject({ status: 'pending', generation: 1, customerId: customer2, amount: { amountMinor: '220000', currency: 'USD', amount: '2200.00' }, openStepIndex: 0 });
    expect(opened.current.steps.map((s: StepView) => [s.label, s.status])).toEqual([["Customer's CSM", 'open'], ['Sales', 'waiting']]);
    expect(opened.current.steps[0]?.approver).toEqual({ kind: 'customer_csm', csm: { userId: users.user3.userId, name: 'User3', role: 'CustomerSuccess' } });

    const salesFirst = await approve(users.user1, billId);
    expect([salesFirst.status, salesFirst.body.code]).toEqual([409, 'approval.waiting_for_previous_step']);
    const notTheCsm = await approve(users.user4, billId);
    expect([notTheCsm.status, notTheCsm.body.code]).toEqual([403, 'approval.not_customer_csm']);
    const finance = await approve(users.user5, billId);
    expect([finance.status, finance.body.code]).toEqual([403, 'approval.forbidden_role']);

    // The inbox of the CSM holds the bill; Sales' does not yet.
    expect((await call(users.user3, 'GET', '/api/approvals?assignee=me&status=pending')).body.items.map((i: InboxItem) => i.billId)).toContain(billId);
    expect((await call(users.user1, 'GET', '/api/approvals?assignee=me&status=pending')).body.items.map((i: InboxItem) => i.billId)).not.toContain(billId);

    const byCsm = await approve(users.user3, billId, 'usage checked with the customer');
    expect(byCsm.status).toBe(200);
    expect(byCsm.body).toMatchObject({ status: 'pending', openStepIndex: 1 });
    const twice = await approve(users.user3, billId);
    expect([twice.status, twice.body.code]).toEqual([409, 'approval.already_acted']);

    expect((await call(users.user1, 'GET', '/api/approvals?assignee=me&status=pending')).body.items.map((i: InboxItem) => i.billId)).toContain(billId);
    const bySales = await approve(users.user1, billId, 'ok');
    expect(bySales.status).toBe(200);
    expect(bySales.body.status).toBe('approved');

    await waitUntil('BillApprovalGranted is published', () => eventsOf('approvals.v1.BillApprovalGranted', billId).length === 1);
    const granted = eventsOf('approvals.v1.BillApprovalGranted', billId)[0]!;
    expect(granted.message).toMatchObject({ billId, processId: opened.current.processId, comment: 'ok', approvedSteps: 2 });
    expect(granted.actor).toEqual({ userId: users.user1.userId, role: 'Sales', displayName: 'User1' });
    const requested = eventsOf('approvals.v1.ApprovalRequested', billId);
    expect(requested).toHaveLength(1);
    expect(requested[0]!.message.steps.map((s) => [s.approver.case, s.resolvedUserId, s.roles])).toEqual([
      ['customerCsm', users.user3.userId, []],
      ['role', undefined, ['Sales']],
    ]);
    expect(eventsOf('approvals.v1.ApprovalStepApproved', billId).map((e) => [e.message.stepIndex, e.message.approverUserId, e.message.approverRole, e.message.comment])).toEqual([
      [0, users.user3.userId, 'CustomerSuccess', 'usage checked with the customer'],
      [1, users.user1.userId, 'Sales', 'ok'],
    ]);

    // The history shows every step with its actor, time and comment.
    const detail = (await call(users.user4, 'GET', `/api/approvals/${billId}`)).body;
    expect(detail.current.steps.map((s: StepView) => [s.status, s.actedBy?.name, s.comment])).toEqual([
      ['approved', 'User3', 'usage checked with the customer'],
      ['approved', 'User1', 'ok'],
    ]);
    expect(detail.current.history.map((h: ProcessView['history'][number]) => [h.action, h.actor?.name, h.comment])).toEqual([
      ['submitted', 'User2', 'October usage'],
      ['step_approved', 'User3', 'usage checked with the customer'],
      ['step_approved', 'User1', 'ok'],
      ['approved', 'User1', 'ok'],
    ]);
    expect(detail.current.steps.every((s: StepView) => typeof s.actedAt === 'string' && s.actedAt.endsWith('Z'))).toBe(true);

    const afterwards = await approve(users.user6, billId);
    expect([afterwards.status, afterwards.body.code]).toEqual([409, 'approval.no_open_process']);
    expect((await call(users.user3, 'GET', '/api/approvals?assignee=me&status=approved')).body).toMatchObject({ total: 1, limit: 50, offset: 0, items: [{ billId, myStatus: 'approved' }] });
  });

  it('refuses the user who submitted or drafted the bill (403 approval.own_bill)', async () => {
    const billId = randomUUID();
    await submit(billId, customer1, { submitter: users.user1, drafter: users.user6 });
    await waitForProcess(billId);
    expect((await approve(users.user1, billId)).body.code).toBe('approval.own_bill');
    expect((await approve(users.user6, billId)).status).toBe(403);
  });

  it('rejection needs a comment (400 naming it), publishes BillApprovalRejected with it, and a resubmission opens a new process', async () => {
    const billId = randomUUID();
    await submit(billId, customer1);
    const first = await waitForProcess(billId);
    for (const body of [{}, { comment: '   ' }]) {
      const noComment = await reject(users.user4, billId, body);
      expect(noComment.status).toBe(400);
      expect(noComment.body.code).toBe('request.invalid');
      expect(noComment.body.errors.map((e: { field: string }) => e.field)).toEqual(['comment']);
    }
    const rejected = await reject(users.user4, billId, { comment: 'overage rate is wrong' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', steps: [{ status: 'rejected', actedBy: { name: 'User4' }, comment: 'overage rate is wrong' }] });
    await waitUntil('BillApprovalRejected is published', () => eventsOf('approvals.v1.BillApprovalRejected', billId).length === 1);
    expect(eventsOf('approvals.v1.BillApprovalRejected', billId)[0]!.message).toMatchObject({
      billId,
      processId: first.current.processId,
      stepIndex: 0,
      userId: users.user4.userId,
      role: 'CustomerSuccess',
      comment: 'overage rate is wrong',
    });
    expect((await approve(users.user1, billId)).body.code).toBe('approval.no_open_process');
    expect((await call(users.user4, 'GET', '/api/approvals?assignee=me&status=rejected')).body.items.map((i: InboxItem) => i.billId)).toContain(billId);

    await submit(billId, customer1);
    const second = await waitForProcess(billId, (d: Detail) => d.current.generation === 2);
    expect(second.current).toMatchObject({ status: 'pending', generation: 2 });
    expect(second.current.processId).not.toBe(first.current.processId);
    expect(second.past).toMatchObject([{ generation: 1, status: 'rejected' }]);
    expect((await approve(users.user4, billId)).body.status).toBe('approved');
    await waitUntil('the second process is granted', () => eventsOf('approvals.v1.BillApprovalGranted', billId).length === 1);
  });

  it('cancels the open process when the bill is voided', async () => {
    const billId = randomUUID();
    await submit(billId, customer1);
    await waitForProcess(billId);
    await publish('billing.v1.BillVoided', { billId, actionId: randomUUID(), reason: 'duplicate' }, billId, users.user2);
    const detail = await waitForProcess(billId, (d: Detail) => d.current.status === 'cancelled');
    expect(detail.current.history.at(-1)).toMatchObject({ action: 'cancelled', comment: 'bill_voided: duplicate' });
    expect((await approve(users.user1, billId)).body.code).toBe('approval.no_open_process');
  });

  it('lets Admin and Finance set a custom policy whose conditional step is skipped for small bills', async () => {
    const steps = [
      { approver: { kind: 'roles', roles: ['Sales'] } },
      { approver: { kind: 'customer_csm' }, condition: { kind: 'amount_at_least', amountMinor: '1000000', currency: 'USD' } },
    ];
    expect((await call(users.user1, 'PUT', `/api/customers/${customer1}/approval-policy`, { steps })).status).toBe(403);
    const invalid = await call(users.admin, 'PUT', `/api/customers/${customer1}/approval-policy`, { steps: [{ approver: { kind: 'roles', roles: ['Finance'] } }] });
    expect([invalid.status, invalid.body.errors[0]?.field]).toEqual([400, 'steps.0.approver.roles.0']);
    const set = await call(users.user2, 'PUT', `/api/customers/${customer1}/approval-policy`, { steps });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ source: 'custom', custom: true, updatedBy: { userId: users.user2.userId }, steps: [{ label: 'Sales' }, { label: "Customer's CSM" }] });

    const small = randomUUID();
    const large = randomUUID();
    await submit(small, customer1, { amountMinor: 999_999n });
    await submit(large, customer1, { amountMinor: 1_000_000n });
    expect((await waitForProcess(small)).current.steps.map((s: StepView) => s.label)).toEqual(['Sales']);
    expect((await waitForProcess(large)).current.steps.map((s: StepView) => s.label)).toEqual(['Sales', "Customer's CSM"]);

    const cleared = await call(users.admin, 'PUT', `/api/customers/${customer1}/approval-policy`, { steps: null });
    expect(cleared.body).toMatchObject({ source: 'default', custom: false });
  });

  it('parks a bill submitted before its customer was known and opens its process when the customer arrives', async () => {
    const customer3 = randomUUID();
    const billId = randomUUID();
    await submit(billId, customer3);
    await waitUntil('the submission is parked', async () => (await db.query('SELECT 1 FROM approvals.parked_submissions WHERE bill_id = $1', [billId])).rowCount === 1);
    expect((await call(users.admin, 'GET', `/api/approvals/${billId}`)).status).toBe(404);
    await publish(
      'customers.v1.CustomerRegistered',
      { customerId: customer3, name: 'Customer3', billingAddress: '', billingEmail: 'c3@example.com', csmUserId: users.user4.userId, terms: terms(true) },
      customer3,
    );
    const detail = await waitForProcess(billId);
    expect(detail.current.policySource).toBe('require_csm_approval');
    expect(detail.current.steps[0]?.approver).toMatchObject({ kind: 'customer_csm', csm: { userId: users.user4.userId } });
    expect((await db.query('SELECT 1 FROM approvals.parked_submissions WHERE bill_id = $1', [billId])).rowCount).toBe(0);
  });

  it('answers 404 for an unknown bill or customer', async () => {
    expect((await call(users.user1, 'GET', `/api/approvals/${randomUUID()}`)).body.code).toBe('approval.not_found');
    expect((await approve(users.user1, randomUUID())).status).toBe(404);
    expect((await call(users.user1, 'GET', `/api/customers/${randomUUID()}/approval-policy`)).body.code).toBe('approval.customer_not_found');
  });

  it('enforces the role × endpoint matrix, with a row for every route', async () => {
    expect(await checkAccessMatrix(url, approvalsAccessMatrix, (role) => tokens.issue(role))).toEqual([]);
    expect(uncoveredRoutes(listRoutes(app).filter((route) => route.path.startsWith('/api')), approvalsAccessMatrix)).toEqual([]);
  });
});
