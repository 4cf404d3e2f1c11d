import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAccessMatrix, uncoveredRoutes } from '@billing/auth/testing';
import { listRoutes } from '@billing/auth';
import { waitUntil } from '@billing/messaging/testing';
import { decodeIntegrationEvent, TOPICS, type DecodedIntegrationEvent } from '@billing/contracts';
import { PostgresEventStore } from '@billing/event-store';
import type { ServiceContext } from '@billing/service-kit';
import { BillRunService } from './bill-run/bill-run.service.js';
import type { Role } from '@billing/auth';
import type { CliContext } from '@billing/service-kit';
import { billingAccessMatrix } from './access-matrix.js';
import { billingCommands, POLL_MS } from './cli/index.js';
import { replayReadModels } from './read-models/replay.js';
import { publishSeed, readCsv, seedId, SEED_DIR, SEED_GRACE_MONTHS, snapshotReadModels, startHarness, type Harness } from './testing/harness.js';

let h: Harness;
const c1 = seedId('customer', 'Customer1');
const published: DecodedIntegrationEvent[] = [];

beforeAll(async () => {
  h = await startHarness();
  await h.bus.subscribe({ groupId: 'billing-test-observer', topics: [TOPICS.billing], handler: async (m) => void published.push(decodeIntegrationEvent(m.value)) });
  await publishSeed(h);
  await waitUntil('billing knows the seed', async () => {
    const n = await h.db.query<{ n: string }>(
      `SELECT ((SELECT count(*) FROM "${h.schema}".users) + (SELECT count(*) FROM "${h.schema}".customers) + (SELECT count(*) FROM "${h.schema}".usage_totals))::text AS n`,
    );
    return n.rows[0]!.n === String(6 + 10 + 48);
  });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe(`billing service (HTTP + MemoryBus)`, () => {
  it('imports the historical bill with its four actions and original actors, idempotently', async () => {
    const body = JSON.parse(readFileSync(join(SEED_DIR, 'bills.json'), 'utf8'));
    const first = await h.api('POST', '/api/bills/import', 'Finance', body);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ imported: [`${c1}-2017-10`], skipped: [], rejected: [] });
    const again = await h.api('POST', '/api/bills/import', 'Finance', body);
    expect(again.body.imported).toEqual([]);
    expect(again.body.skipped).toHaveLength(1);

    const bill = await h.api('GET', `/api/bills/${c1}-2017-10`, 'Sales');
    expect(bill.body).toMatchObject({ status: 'sent', unitPrice: '0.01', overageUnits: '220000', amount: { amountMinor: '220000', currency: 'USD', amount: '2200.00' } });
    expect(bill.body.actions.map((a: { type: string; actor: { name: string } }) => [a.type, a.actor.name])).toEqual([
      ['BillDrafted', 'User2'],
      ['BillApprovalStepRecorded', 'User3'],
      ['BillApproved', 'User1'],
      ['BillSent', 'User2'],
    ]);

    const unknown = await h.api('POST', '/api/bills/import', 'Finance', { bills: [{ ...body.bills[0], month: 11, actions: [{ stakeholder: 'Nobody', action: 'DRAFT', comment: null }] }] });
    expect(unknown.body.rejected).toEqual([{ index: 0, reason: 'unknown user Nobody' }]);
    expect((await h.api('GET', `/api/bills/${c1}-2017-11`, 'Finance')).status).toBe(404);
  });

  it('a crashed bill run resumes where its last batch checkpoint left it, on start-up', async () => {
    const context = { db: h.db, schema: h.schema, store: new PostgresEventStore(h.db, { schema: h.schema }), notifyOutbox: () => undefined } as unknown as ServiceContext;
    const crashed = new BillRunService(context);
    crashed.batchSize = 3;
    await crashed.beforeApplicationShutdown(); // it will process nothing in the background: we drive one batch, then "crash"
    await crashed.start('2017-12', { userId: 'u-fin', role: 'Finance', name: 'Fiona' }, new Date().toISOString());
    expect(await crashed.processBatch('2017-12')).toBe(true);
    expect(await crashed.get('run-2017-12')).toMatchObject({ status: 'running', processed: 3, total: 10 });
    const restarted = new BillRunService(context);
    restarted.batchSize = 3;
    await restarted.onApplicationBootstrap();
    await restarted.settled('2017-12');
    const run = (await restarted.get('run-2017-12'))!;
    expect(run).toMatchObject({ status: 'finished', processed: 10, failed: 0 });
    expect(run.drafted + Object.values(run.skipped).reduce((a, b) => a + b, 0)).toBe(10);
    const versions = await h.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${h.schema}".events WHERE stream_id = 'bill-run-2017-12'`);
    expect(versions.rows[0]!.n).toBe('6'); // started, 4 batches of ≤ 3 customers, finished
  });

  it('bills every month of 2017 by the rule: no bill in grace months or under the limit; re-running creates nothing', async () => {
    for (let m = 1; m <= 12; m++) {
      const period = `2017-${String(m).padStart(2, '0')}`;
      const started = await h.api('POST', '/api/bill-runs', 'Finance', { period });
      expect(started.status).toBe(202);
      await waitUntil(`run ${period} finished`, async () => (await h.api('GET', `/api/bill-runs/run-${period}`, 'Sales')).body.status === 'finished');
    }
    // The rule, computed independently: prices have at most 2 decimals, so amount in cents = units × price × 100.
    const customers = new Map(readCsv('customers.csv').map((c) => [c.name!, c]));
    const expected = new Map<string, { units: string; amountMinor: string }>();
    for (const u of readCsv('usages.csv')) {
      const c = customers.get(u.customer!)!;
      const month = Number(u.month);
      const startMonth = Number(c.start_date!.slice(5, 7));
      if (month < startMonth || month - startMonth < SEED_GRACE_MONTHS) continue;
      const units = BigInt(u.api_usage!) - BigInt(c.monthly_api_limit!);
      if (units <= 0n) continue;
      const [whole, frac = ''] = c.overage_unit_cost!.split('.');
      const cents = BigInt(whole!) * 100n + BigInt((frac + '00').slice(0, 2));
      expected.set(`${seedId('customer', u.customer!)}-2017-${u.month!.padStart(2, '0')}`, { units: units.toString(), amountMinor: (units * cents).toString() });
    }
    const imported = `${c1}-2017-10`;
    expected.delete(imported); // the imported historical bill came first (its own price): the run skipped it
    const list = await h.api('GET', '/api/bills?limit=500&sort=period', 'Finance');
    const generated = new Map(
      (list.body.items as { billId: string; overageUnits: string; amount: { amountMinor: string } }[])
        .filter((b) => b.billId !== imported)
        .map((b) => [b.billId, { units: b.overageUnits, amountMinor: b.amount.amountMinor }]),
    );
    expect(generated).toEqual(expected);
    expect(expected.size).toBeGreaterThan(10);

    const october = await h.api('GET', '/api/bill-runs/run-2017-10', 'Finance');
    expect(october.body).toMatchObject({ total: 10, processed: 10, failed: 0 });
    expect(october.body.skipped.already_exists).toBe(1);
    const before = list.body.total;
    const rerun = await h.api('POST', '/api/bill-runs', 'Finance', { period: '2017-10' });
    expect(rerun.body).toMatchObject({ runId: 'run-2017-10', created: false, status: 'finished' });
    expect((await h.api('GET', '/api/bills', 'Finance')).body.total).toBe(before);
    expect((await h.api('GET', '/api/bill-runs', 'Finance')).body.total).toBe(12);
  }, 120_000);

  it('refuses bad drafts with stable codes and appends nothing', async () => {
    const cases: [unknown, number, string][] = [
      [{ customerId: 'nobody', period: '2017-05' }, 404, 'bill.customer_unknown'],
      [{ customerId: c1, period: '2999-01' }, 422, 'bill.period_in_future'],
      [{ customerId: seedId('customer', 'Customer5'), period: '2017-09' }, 422, 'bill.usage_not_closed'],
      [{ customerId: c1, period: '2017-02' }, 422, 'bill.grace_period'],
      [{ customerId: c1, period: '2017-04' }, 409, 'bill.already_exists'],
      [{ customerId: c1, period: '2017-4' }, 400, 'request.invalid'],
    ];
    const count = async () => (await h.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${h.schema}".events`)).rows[0]!.n;
    const before = await count();
    for (const [body, status, code] of cases) {
      const r = await h.api('POST', '/api/bills', 'Finance', body);
      expect([r.status, r.body.code]).toEqual([status, code]);
    }
    expect(await count()).toBe(before);
    const exists = await h.api('POST', '/api/bills', 'Finance', { customerId: c1, period: '2017-04' });
    expect(exists.body.detail).toContain(`${c1}-2017-04`);
    const zero = await h.api('POST', '/api/bills', 'Finance', { customerId: c1, period: '2017-09' });
    expect(zero.body.code).toBe('bill.zero_amount');
    const allowed = await h.api('POST', '/api/bills', 'Finance', { customerId: c1, period: '2017-09', allowZero: true });
    expect([allowed.status, allowed.body.amount.amountMinor, allowed.headers.get('etag')]).toEqual([201, '0', '"1"']);
  });

  it('takes a bill through adjust, submit, approval (approvals events), send, revert and time travel', async () => {
    const id = `${c1}-2017-04`; // 650,000 − 100,000 = 550,000 units × 0.1 = 55,000.00
    const path = `/api/bills/${id}`;
    expect((await h.api('GET', path, 'Finance')).body.amount.amount).toBe('55000.00');
    expect((await h.api('PATCH', path, 'Finance', { unitPrice: '-1', reason: 'x' })).body.code).toBe('request.invalid');
    expect((await h.api('PATCH', path, 'Finance', { unitPrice: 'abc', reason: 'x' })).status).toBe(400);
    const adjusted = await h.api('PATCH', path, 'Finance', { unitPrice: '0.05', reason: 'negotiated' }, { 'if-match': '"1"' });
    expect([adjusted.status, adjusted.body.amount.amount, adjusted.headers.get('etag')]).toEqual([200, '27500.00', '"2"']);
    const stale = await h.api('PATCH', path, 'Finance', { unitPrice: '0.06', reason: 'stale' }, { 'if-match': '"1"' });
    expect([stale.status, stale.body.code]).toEqual([412, 'bill.version_mismatch']);
    expect((await h.api('POST', `${path}/send`, 'Finance', {})).body.code).toBe('bill.invalid_status');
    expect((await h.api('POST', `${path}/submit`, 'Finance', {})).body.status).toBe('pending_approval');
    await h.publish('approvals.v1.BillApprovalGranted', id, { billId: id, processId: 'p1' }, { userId: 'u-sales', role: 'Sales', displayName: 'Sam Sales' });
    await waitUntil('approved', async () => (await h.api('GET', path, 'Finance')).body.status === 'approved');
    await h.publish('approvals.v1.BillApprovalGranted', id, { billId: id, processId: 'p1' }); // again: refused by the decider, consumed
    await h.publish('approvals.v1.ApprovalStepApproved', id, { billId: id, processId: 'p1', stepIndex: 0, approverUserId: 'u-x', approverRole: 'Sales', comment: '' }); // too late: ignored
    const sent = await h.api('POST', `${path}/send`, 'Finance', {});
    expect(sent.body.status).toBe('sent');
    const sendId = `${id}.5`;
    const reverted = await h.api('POST', `${path}/actions/${sendId}/revert`, 'Finance', { reason: 'sent by mistake' });
    expect(reverted.body.status).toBe('approved');
    expect((await h.api('POST', `${path}/actions/${sendId}/revert`, 'Finance', { reason: 'again' })).body.code).toBe('bill.action_already_reverted');
    expect((await h.api('POST', `${path}/actions/${id}.99/revert`, 'Finance', { reason: 'x' })).body.code).toBe('bill.action_not_found');
    const reRevert = await h.api('POST', `${path}/actions/${id}.6/revert`, 'Finance', { reason: 'it was right' });
    expect(reRevert.body.status).toBe('sent');
    const v1 = await h.api('GET', `${path}?version=1`, 'Sales');
    expect([v1.body.status, v1.body.amount.amount, v1.body.version, v1.headers.get('etag')]).toEqual(['draft', '55000.00', 1, '"7"']);
    expect((await h.api('GET', `${path}?version=99`, 'Sales')).body.code).toBe('bill.version_not_found');
    const atAdjust = await h.api('GET', `${path}?at=${encodeURIComponent(adjusted.body.actions[1].at)}`, 'Sales');
    expect([atAdjust.body.version, atAdjust.body.amount.amount]).toEqual([2, '27500.00']);
    const actions = await h.api('GET', `${path}/actions`, 'CustomerSuccess');
    expect(actions.body.total).toBe(7);
    expect(actions.body.items[3]).toMatchObject({ type: 'BillApproved', actor: { userId: 'u-sales', name: 'Sam Sales' } });
    expect(actions.body.items[4]).toMatchObject({ actionId: sendId, reverted: false });
    expect(actions.body.items[5]).toMatchObject({ reverted: true, revertedBy: `${id}.7` });
  });

  it('adds and removes lines (discounts are negative); a removal can be reverted', async () => {
    const path = `/api/bills/${c1}-2017-11`; // 425,000 − 100,000 = 325,000 × 0.1 = 32,500.00
    const added = await h.api('POST', `${path}/lines`, 'Finance', { kind: 'discount', description: 'loyalty', quantity: '1', unitPrice: '500' });
    expect([added.status, added.body.amount.amount, added.body.lines[0].amount.amountMinor]).toEqual([200, '32000.00', '-50000']);
    const lineId = added.body.lines[0].lineId as string;
    const removed = await h.api('POST', `${path}/lines/${lineId}/remove`, 'Finance', { reason: 'not eligible' });
    expect([removed.body.amount.amount, removed.body.lines]).toEqual(['32500.00', []]);
    expect((await h.api('POST', `${path}/lines/${lineId}/remove`, 'Finance', { reason: 'again' })).body.code).toBe('bill.line_not_found');
    const back = await h.api('POST', `${path}/actions/${removed.body.actions.at(-1).actionId}/revert`, 'Finance', { reason: 'eligible after all' });
    expect(back.body.amount.amount).toBe('32000.00');
    expect((await h.api('GET', `/api/bills?customerId=${c1}&period=2017-11`, 'Finance')).body.items[0].amount.amount).toBe('32000.00');
  });

  it('lists bills with filters (status, period, customer, CSM), sorting, pagination and totals per currency', async () => {
    const all = await h.api('GET', '/api/bills?limit=500', 'Sales');
    const sum = (items: { amount: { amountMinor: string } }[]) => items.reduce((a, b) => a + BigInt(b.amount.amountMinor), 0n).toString();
    expect(all.body.totals).toEqual([{ currency: 'USD', amountMinor: sum(all.body.items), amount: expect.any(String), count: all.body.total }]);
    const sent = await h.api('GET', `/api/bills?status=sent&customerId=${c1}`, 'Sales');
    expect(sent.body.items.map((b: { billId: string }) => b.billId).sort()).toEqual([`${c1}-2017-04`, `${c1}-2017-10`]);
    const csm4 = await h.api('GET', `/api/bills?csmUserId=${seedId('user', 'User4')}`, 'CustomerSuccess');
    expect(csm4.body.total).toBe(0); // Customer6..10 (User4's) never go over their limits in the data
    const csm3 = await h.api('GET', `/api/bills?csmUserId=${seedId('user', 'User3')}&period=2017-05`, 'CustomerSuccess');
    expect(csm3.body.items.every((b: { period: string; csmUserId: string }) => b.period === '2017-05' && b.csmUserId === seedId('user', 'User3'))).toBe(true);
    const page = await h.api('GET', '/api/bills?sort=-amount&limit=2&offset=1', 'Finance');
    const byAmount = [...all.body.items].sort((a, b) => Number(BigInt(b.amount.amountMinor) - BigInt(a.amount.amountMinor)));
    expect([page.body.limit, page.body.offset, page.body.items.length]).toEqual([2, 1, 2]);
    expect(page.body.items[0].amount.amountMinor).toBe(byAmount[1].amount.amountMinor);
    expect((await h.api('GET', '/api/bills?limit=501', 'Finance')).body.code).toBe('request.invalid');
  });

  it('two concurrent conflicting requests: one wins, the other gets 409/412, the stream stays consistent', async () => {
    const id = `${c1}-2017-05`;
    const path = `/api/bills/${id}`;
    const both = await Promise.all([h.api('POST', `${path}/submit`, 'Finance', {}), h.api('POST', `${path}/void`, 'Finance', { reason: 'dup' }, { 'if-match': '"1"' })]);
    const statuses = both.map((r) => r.status).sort();
    expect(statuses[0]).toBe(200);
    expect([409, 412]).toContain(statuses[1]);
    const pair = await Promise.all([h.api('POST', `${path}/comments`, 'Sales', { comment: 'a' }, { 'if-match': '"2"' }), h.api('POST', `${path}/comments`, 'Sales', { comment: 'b' }, { 'if-match': '"2"' })]);
    expect(pair.map((r) => r.status).sort()).toEqual([200, 412]);
    const actions = await h.api('GET', `${path}/actions`, 'Finance');
    expect(actions.body.items.map((a: { actionId: string }) => a.actionId)).toEqual([1, 2, 3].map((n) => `${id}.${n}`));
  });

  it('publishes billing.v1 events through the outbox; BillSubmitted carries what approvals needs', async () => {
    const id = `${c1}-2017-06`; // 360,000 − 100,000 = 260,000 × 0.1
    expect((await h.api('POST', `/api/bills/${id}/submit`, 'Finance', { comment: 'please' })).status).toBe(200);
    await waitUntil('BillSubmitted published', () => published.some((e) => e.type === 'billing.v1.BillSubmitted' && e.message.billId === id));
    const submitted = published.find((e) => e.type === 'billing.v1.BillSubmitted' && e.message.billId === id)!;
    expect(submitted.message).toMatchObject({
      billId: id,
      actionId: `${id}.2`,
      customerId: c1,
      period: '2017-06',
      amount: { amountMinor: 2600000n, currency: 'USD' },
      overageUnits: 260000n,
      includedApiCalls: 100000n,
      draftedByUserId: 'finance-user',
    });
    expect(submitted.actor).toMatchObject({ userId: 'finance-user', role: 'Finance' });
    expect(published.some((e) => e.type === 'billing.v1.BillDrafted' && e.message.billId === id)).toBe(true);

    // The approvals service approves step 0 (the CSM), then grants: both land in the bill's history with their actors.
    const csm = { userId: seedId('user', 'User3'), role: 'CustomerSuccess', displayName: 'User3' };
    await h.publish('approvals.v1.ApprovalStepApproved', id, { billId: id, processId: 'p6', stepIndex: 0, approverUserId: csm.userId, approverRole: 'CustomerSuccess', comment: 'CS ok' }, csm);
    await h.publish('approvals.v1.BillApprovalGranted', id, { billId: id, processId: 'p6' }, { userId: seedId('user', 'User1'), role: 'Sales', displayName: 'User1' });
    const bill = await h.api('GET', `/api/bills/${id}`, 'Finance');
    expect(bill.body.status).toBe('approved');
    expect(bill.body.actions.slice(2).map((a: { type: string; actor: { name: string }; comment: string }) => [a.type, a.actor.name, a.comment])).toEqual([
      ['BillApprovalStepRecorded', 'User3', 'CS ok'],
      ['BillApproved', 'User1', ''],
    ]);
  });

  it('a usage correction of a billed month flags the bill with a comment action, amount unchanged', async () => {
    const id = `${c1}-2017-08`; // 234,000 − 100,000 = 134,000 × 0.1 = 13,400.00
    await h.publish('customers.v1.UsageCorrected', c1, { customerId: c1, period: '2017-08', previousApiCalls: 234000n, apiCalls: 250000n });
    await waitUntil('correction recorded', async () => (await h.api('GET', `/api/bills/${id}`, 'Finance')).body.usageCorrection !== null);
    const bill = await h.api('GET', `/api/bills/${id}`, 'Finance');
    expect(bill.body).toMatchObject({ usageCorrection: { previousApiCalls: '234000', apiCalls: '250000' }, amount: { amount: '13400.00' } });
    expect(bill.body.actions.at(-1).type).toBe('BillUsageCorrected');
    expect((await h.api('GET', `/api/bills?customerId=${c1}&period=2017-08`, 'Finance')).body.items[0].usageCorrected).toBe(true);
  });

  it('replay rebuilds read models identical to the live ones', async () => {
    const live = await snapshotReadModels(h.db, h.schema);
    expect(live.bills!.length).toBeGreaterThan(10);
    await replayReadModels(h.db, h.schema, undefined, 7);
    expect(await snapshotReadModels(h.db, h.schema)).toEqual(live);
  });

  it('CLI: bill-run with a progress bar, import bills, replay billing', async () => {
    POLL_MS.value = 10;
    const lines: string[] = [];
    const updates: number[] = [];
    const context = (role: Role): CliContext => ({
      baseUrl: h.url,
      api: async (path, init = {}) => fetch(`${h.url}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${await h.token(role)}` } }),
      print: (line) => lines.push(line),
      progress: () => ({ setTotal: () => undefined, update: (done) => updates.push(done), stop: () => undefined }),
      readFile: async (file) => readFileSync(file, 'utf8'),
    });
    const command = (...name: string[]) => billingCommands.find((c) => c.name.join(' ') === name.join(' '))!;
    expect(await command('bill-run').run(['2016-12'], context('Finance'))).toBe(0);
    expect(lines.at(-1)).toBe('bill run 2016-12: 10/10 customers, 0 drafted, skipped: no_usage 10, failed 0');
    expect(updates.at(-1)).toBe(10);
    expect(await command('bill-run').run(['2016-13'], context('Finance'))).toBe(2);
    expect(await command('bill-run').run(['2017-01'], context('Sales'))).toBe(1);
    expect(await command('import', 'bills').run([join(SEED_DIR, 'bills.json')], context('Finance'))).toBe(0);
    expect(lines.at(-1)).toBe('imported 0, skipped 1 (already there), rejected 0');
    const live = await snapshotReadModels(h.db, h.schema);
    expect(await command('replay', 'billing').run([], context('Admin'))).toBe(0);
    expect(lines.at(-1)).toMatch(/^replayed \d+ events/);
    expect(await snapshotReadModels(h.db, h.schema)).toEqual(live);
  });

  it('enforces the access matrix on every route', async () => {
    expect(uncoveredRoutes(listRoutes(h.app).filter((r) => r.path.startsWith('/api/')), billingAccessMatrix)).toEqual([]);
    expect(await checkAccessMatrix(h.url, billingAccessMatrix, (role) => h.token(role))).toEqual([]);
  }, 60_000);
});
