import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { checkAccessMatrix, uncoveredRoutes } from '@billing/auth/testing';
import { listRoutes } from '@billing/auth';
import { encodeIntegrationEvent, SYSTEM_ACTOR, topicOf, type DecodedIntegrationEvent, type EventType } from '@billing/contracts';
import { randomUUID } from 'node:crypto';
import { PGliteExecutor, type SqlExecutor } from '@billing/database';
import { waitUntil } from '@billing/messaging/testing';
import { customersAccessMatrix } from './access-matrix.js';
import { customerIdOf } from './customer/customers.service.js';
import { SCHEDULER_ACTOR } from './usage/usage-close.scheduler.js';
import { UsageService } from './usage/usage.service.js';
import { startHarness, type Harness } from './testing/harness.js';

const seed = (file: string) => readFile(new URL(`../../../seed/bill-process/${file}`, import.meta.url), 'utf8');

const USER3 = '3a4a8a59-93a5-4a28-9b8b-3f1e9b7c0003';
const USER4 = '3a4a8a59-93a5-4a28-9b8b-3f1e9b7c0004';
const SALES = '3a4a8a59-93a5-4a28-9b8b-3f1e9b7c0001';
const GONE = '3a4a8a59-93a5-4a28-9b8b-3f1e9b7c0009';

/** `yyyy-mm` of the month `offset` months from now (UTC). */
function monthFromNow(offset: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 7);
}

describe('customers service (PGlite + MemoryBus, HTTP end to end)', () => {
  let db: SqlExecutor;
  let h: Harness;
  const count = async (table: string) => Number((await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM customers_e2e.${table}`)).rows[0]!.n);
  const published = <T extends EventType>(type: T) => h.published.filter((e) => e.type === type) as unknown as DecodedIntegrationEvent<T>[];

  beforeAll(async () => {
    db = await PGliteExecutor.open();
    h = await startHarness(db, 'customers_e2e');
    await h.registerUser({ userId: USER3, name: 'User3', role: 'CustomerSuccess' });
    await h.registerUser({ userId: USER4, name: 'User4', role: 'CustomerSuccess' });
    await h.registerUser({ userId: SALES, name: 'User1', role: 'Sales' });
    await h.registerUser({ userId: GONE, name: 'Gone', role: 'CustomerSuccess', active: false });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    await db?.close();
  });

  it('imports seed customers.csv with deterministic ids, and re-import creates nothing', async () => {
    const csv = await seed('customers.csv');
    const first = await h.call('Finance', 'POST', '/api/customers/import', csv);
    expect(first).toMatchObject({ status: 200, body: { created: 10, unchanged: 0, rejected: [] } });
    const again = await h.call('Admin', 'POST', '/api/customers/import', csv);
    expect(again.body).toEqual({ created: 0, unchanged: 10, rejected: [] });
    const customer2 = await h.call('Sales', 'GET', `/api/customers/${customerIdOf('Customer2')}`);
    expect(customer2.body).toMatchObject({
      name: 'Customer2',
      externalKey: 'Customer2',
      csmUserId: USER3,
      terms: { monthlyApiLimit: 200000, overageUnitPrice: '0.09', currency: 'USD', startDate: '2017-02-01', endDate: null, requireCsmApproval: true, overageGraceMonths: 3 },
    });
    await waitUntil('10 CustomerRegistered published', () => published('customers.v1.CustomerRegistered').length === 10);
    const registered = published('customers.v1.CustomerRegistered').find((e) => e.type === 'customers.v1.CustomerRegistered' && e.message.name === 'Customer7');
    expect(registered?.message).toMatchObject({ customerId: customerIdOf('Customer7'), csmUserId: USER4, terms: { monthlyApiLimit: 700000n, overageUnitPrice: '0.04', startDate: '2017-07-01' } });
    const list = await h.call('CustomerSuccess', 'GET', `/api/customers?csmUserId=${USER4}&limit=2&offset=1`);
    expect(list.body).toMatchObject({ total: 5, limit: 2, offset: 1 });
    expect(list.body.items.map((c: { name: string }) => c.name)).toEqual(['Customer6', 'Customer7']);
    expect((await h.call('Finance', 'GET', '/api/customers?q=customer1')).body.total).toBe(2); // Customer1, Customer10
  });

  it('imports seed usages.csv: all 48 monthly totals equal the CSV, each closed once; re-import changes nothing', async () => {
    const csv = await seed('usages.csv');
    const first = await h.call('Finance', 'POST', '/api/usage/import', csv);
    expect(first.body).toEqual({ created: 48, corrected: 0, unchanged: 0, rejected: [] });
    const again = await h.call('Finance', 'POST', '/api/usage/import', csv);
    expect(again.body).toEqual({ created: 0, corrected: 0, unchanged: 48, rejected: [] });

    const rows = csv.trim().split('\n').slice(1).map((line) => line.split(','));
    const usage = await h.call('Sales', 'GET', '/api/usage?year=2017&limit=500');
    expect(usage.body.total).toBe(48);
    for (const [customer, year, month, apiUsage] of rows) {
      const item = usage.body.items.find((i: { customerName: string; year: number; month: number }) => i.customerName === customer && i.year === Number(year) && i.month === Number(month));
      expect({ customer, year, month, apiUsage: item?.apiUsage, closed: item?.closed }).toEqual({ customer, year, month, apiUsage: Number(apiUsage), closed: true });
    }
    await waitUntil('48 UsagePeriodClosed published', () => published('customers.v1.UsagePeriodClosed').length >= 48);
    const closed = published('customers.v1.UsagePeriodClosed');
    expect(closed).toHaveLength(48);
    const c1May = closed.find((e) => e.type === 'customers.v1.UsagePeriodClosed' && e.message.customerId === customerIdOf('Customer1') && e.message.period === '2017-05');
    expect(c1May?.message.apiCalls).toBe(400000n);
    const oneCustomer = await h.call('Finance', 'GET', `/api/usage?customerId=${customerIdOf('Customer4')}&year=2017&fromMonth=3&toMonth=4`);
    expect(oneCustomer.body.items.map((i: { apiUsage: number }) => i.apiUsage)).toEqual([450000, 10000]);
  });

  it('sets a monthly total through POST /api/usage/totals: same total unchanged, a new one for a closed month is a correction', async () => {
    const same = await h.call('Finance', 'POST', '/api/usage/totals', { customerName: 'Customer1', year: 2017, month: 2, apiUsage: 45000 });
    expect(same.body.items).toEqual([{ customerId: customerIdOf('Customer1'), period: '2017-02', apiCalls: '45000', outcome: 'unchanged', closed: true }]);
    const corrected = await h.call('Finance', 'POST', '/api/usage/totals', [{ customerId: customerIdOf('Customer1'), year: 2017, month: 2, apiUsage: '46000' }]);
    expect(corrected.body.items[0]).toMatchObject({ outcome: 'corrected', apiCalls: '46000' });
    await waitUntil('UsageCorrected published', () => published('customers.v1.UsageCorrected').length === 1);
    expect(published('customers.v1.UsageCorrected')[0]!.message).toMatchObject({ period: '2017-02', previousApiCalls: 45000n, apiCalls: 46000n });
    const unknown = await h.call('Finance', 'POST', '/api/usage/totals', [{ customerName: 'Customer1', year: 2017, month: 3, apiUsage: 1 }, { customerName: 'Nobody', year: 2017, month: 3, apiUsage: 1 }]);
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: '1.customerName', message: 'unknown customer Nobody' }]);
    const future = await h.call('Finance', 'POST', '/api/usage/totals', { customerName: 'Customer1', year: 2999, month: 1, apiUsage: 1 });
    expect(future.body.errors).toEqual([{ field: 'month', message: 'must not be a future month' }]);
    const march = await h.call('Finance', 'GET', `/api/usage?customerId=${customerIdOf('Customer1')}&from=2017-03&to=2017-03`);
    expect(march.body.items[0].apiUsage).toBe(450000); // nothing partially written
  });

  it('applies a terms change effective in May to May and later, not to April', async () => {
    const id = customerIdOf('Customer1');
    const patched = await h.call('Finance', 'PATCH', `/api/customers/${id}`, { terms: { monthlyApiLimit: '500000', overageUnitPrice: '0.05' }, effectiveFrom: '2017-05' });
    expect(patched.status).toBe(200);
    expect(patched.body.termsHistory.map((t: { effectiveFrom: string }) => t.effectiveFrom)).toEqual(['2017-01-01', '2017-05-01']);
    const april = await h.call('Sales', 'GET', `/api/customers/${id}/terms?period=2017-04`);
    const may = await h.call('Sales', 'GET', `/api/customers/${id}/terms?period=2017-05`);
    expect(april.body).toMatchObject({ effectiveFrom: '2017-01-01', terms: { monthlyApiLimit: 100000, overageUnitPrice: '0.1' }, inContract: true });
    expect(may.body).toMatchObject({ effectiveFrom: '2017-05-01', terms: { monthlyApiLimit: 500000, overageUnitPrice: '0.05' } });
    const detail = (await h.call('Sales', 'GET', `/api/customers/${id}?period=2017-05`)).body;
    expect((await h.call('Sales', 'GET', `/api/customers/${id}?period=2017-04`)).body.terms.monthlyApiLimit).toBe(100000);
    expect(detail.monthlyUsage).toHaveLength(12);
    expect(detail.monthlyUsage.slice(-2)).toEqual([
      { period: '2017-04', apiCalls: 650000, limit: 100000, overageUnits: 550000, closed: true },
      { period: '2017-05', apiCalls: 400000, limit: 500000, overageUnits: 0, closed: true },
    ]);

    const series = await h.call('CustomerSuccess', 'GET', `/api/customers/${id}/usage?from=2017-04&to=2017-05`);
    expect(series.body.items).toEqual([
      { period: '2017-04', apiCalls: 650000, limit: 100000, overageUnits: 550000, closed: true },
      { period: '2017-05', apiCalls: 400000, limit: 500000, overageUnits: 0, closed: true },
    ]);
    await waitUntil('CustomerTermsChanged published', () => published('customers.v1.CustomerTermsChanged').length === 1);
    expect(published('customers.v1.CustomerTermsChanged')[0]!.message).toMatchObject({ customerId: id, effectiveFrom: '2017-05-01', terms: { monthlyApiLimit: 500000n } });
    // The same change again is not a new event.
    await h.call('Finance', 'PATCH', `/api/customers/${id}`, { terms: { monthlyApiLimit: 500000, overageUnitPrice: '0.05' }, effectiveFrom: '2017-05-01' });
    expect((await h.call('Finance', 'GET', `/api/customers/${id}`)).body.version).toBe(2);
  });

  describe('usage ingestion', () => {
    const acme = customerIdOf('Acme');
    const thisMonth = monthFromNow(0);
    const lastMonth = monthFromNow(-1);
    const at = (period: string, day = 1) => `${period}-${String(day).padStart(2, '0')}T12:00:00Z`;

    beforeAll(async () => {
      const created = await h.call('Admin', 'POST', '/api/customers', {
        name: 'Acme',
        billingAddress: '1 Road',
        billingEmail: 'ap@acme.test',
        csmUserId: USER3,
        terms: { monthlyApiLimit: 1000, overageUnitPrice: '0.0015', currency: 'EUR', startDate: '2020-01-01', requireCsmApproval: false },
      });
      expect(created.status).toBe(201);
      expect(created.body.customerId).toBe(acme);
    });

    const total = async (period: string) => {
      const usage = await h.call('Finance', 'GET', `/api/usage?customerId=${acme}&from=${period}&to=${period}`);
      return usage.body.items[0]?.apiUsage ?? 0;
    };

    it('counts a batch sent 3 times once: the repeats are reported as duplicates', async () => {
      const events = Array.from({ length: 100 }, (_, i) => ({ eventId: `same-${i}`, customerId: acme, timestamp: at(thisMonth), quantity: 2 }));
      const first = await h.call('Admin', 'POST', '/api/usage/events', { events });
      expect(first.body).toEqual({ accepted: 100, duplicates: [], rejected: [] });
      const once = await total(thisMonth);
      for (let i = 0; i < 2; i++) {
        const repeat = await h.call('Admin', 'POST', '/api/usage/events', { events });
        expect(repeat.body.accepted).toBe(0);
        expect(repeat.body.duplicates).toHaveLength(100);
      }
      expect(once).toBe(200);
      expect(await total(thisMonth)).toBe(200);
      await waitUntil('UsageRecorded published', () => published('customers.v1.UsageRecorded').some((e) => e.type === 'customers.v1.UsageRecorded' && e.message.customerId === acme));
      const recorded = published('customers.v1.UsageRecorded').filter((e) => e.type === 'customers.v1.UsageRecorded' && e.message.customerId === acme);
      expect(recorded.map((e) => e.message)).toMatchObject([{ period: thisMonth, apiCalls: 200n, periodTotalApiCalls: 200n }]);
    });

    it('accepts 990 good events of a 1,000-event batch and rejects the 10 bad ones with their reasons', async () => {
      const before = await total(thisMonth);
      const events: unknown[] = Array.from({ length: 990 }, (_, i) => ({ eventId: `good-${i}`, externalKey: 'Acme', timestamp: at(thisMonth), properties: { path: '/v1/x' } }));
      const bad: [number, unknown, RegExp][] = [
        [5, { eventId: 'bad-0', customerId: acme, timestamp: at(thisMonth), quantity: -3 }, /^quantity: /],
        [50, { eventId: 'bad-1', customerId: '00000000-0000-4000-8000-000000000000', timestamp: at(thisMonth) }, /^customerId: unknown customer/],
        [100, { eventId: 'bad-2', externalKey: 'Nobody', timestamp: at(thisMonth) }, /^externalKey: unknown customer/],
        [150, { eventId: 'bad-3', customerId: acme, timestamp: '2019-12-31T23:00:00Z' }, /^timestamp: 2019-12-31 is outside the customer's contract/],
        [200, { eventId: 'bad-4', customerId: acme, timestamp: 'yesterday' }, /^timestamp: /],
        [250, { customerId: acme, timestamp: at(thisMonth) }, /^eventId: /],
        [300, { eventId: 'bad-6', timestamp: at(thisMonth) }, /^customerId: required/],
        [350, { eventId: 'bad-7', customerId: acme, timestamp: at(thisMonth), quantity: 1.5 }, /^quantity: /],
        [400, { eventId: 'bad-8', customerId: acme, timestamp: '2999-01-01T00:00:00Z' }, /^timestamp: is in the future/],
        [450, 'not an object', /^event: /],
      ];
      for (const [index, event] of bad) events.splice(index, 0, event);
      const result = await h.call('Finance', 'POST', '/api/usage/events', { events });
      expect(result.status).toBe(200);
      expect(result.body.accepted).toBe(990);
      expect(result.body.duplicates).toEqual([]);
      expect(result.body.rejected).toHaveLength(10);
      result.body.rejected.forEach((rejection: { index: number; reason: string }, i: number) => {
        expect(rejection.index).toBe(bad[i]![0]);
        expect(rejection.reason).toMatch(bad[i]![2]);
      });
      expect(await total(thisMonth)).toBe(before + 990);
    });

    it('refuses a batch above 1,000 events with a 400 naming events', async () => {
      const events = Array.from({ length: 1001 }, (_, i) => ({ eventId: `big-${i}`, customerId: acme, timestamp: at(thisMonth) }));
      const result = await h.call('Finance', 'POST', '/api/usage/events', { events });
      expect(result.status).toBe(400);
      expect(result.body.errors[0].field).toBe('events');
    });

    it('closes last month explicitly (idempotently), then records late usage for it as a correction', async () => {
      await h.call('Finance', 'POST', '/api/usage/events', { events: [{ eventId: 'late-0', customerId: acme, timestamp: at(lastMonth, 2), quantity: 7 }] });
      const closed = await h.call('Finance', 'POST', `/api/usage/periods/${lastMonth}/close`, { customerId: acme });
      expect(closed.body).toEqual({ period: lastMonth, closed: [{ customerId: acme, apiCalls: '7' }] });
      const again = await h.call('Finance', 'POST', `/api/usage/periods/${lastMonth}/close`, { customerId: acme });
      expect(again.body.closed).toEqual([]);
      const late = await h.call('Finance', 'POST', '/api/usage/events', { events: [{ eventId: 'late-1', customerId: acme, timestamp: at(lastMonth, 3), quantity: 5 }] });
      expect(late.body.accepted).toBe(1);
      await waitUntil('the late usage is published as a correction', () =>
        published('customers.v1.UsageCorrected').some((e) => e.type === 'customers.v1.UsageCorrected' && e.message.customerId === acme),
      );
      const correction = published('customers.v1.UsageCorrected').find((e) => e.type === 'customers.v1.UsageCorrected' && e.message.customerId === acme);
      expect(correction?.message).toMatchObject({ period: lastMonth, previousApiCalls: 7n, apiCalls: 12n });
      expect(published('customers.v1.UsagePeriodClosed').filter((e) => e.type === 'customers.v1.UsagePeriodClosed' && e.message.customerId === acme)).toHaveLength(1);
      const current = await h.call('Finance', 'POST', `/api/usage/periods/${thisMonth}/close`, {});
      expect(current).toMatchObject({ status: 409, body: { code: 'usage.period_not_ended' } });
    });

    it('charts the monthly series with the limit and a linear month-end projection for the open month', async () => {
      const series = await h.call('Sales', 'GET', `/api/customers/${acme}/usage?from=${lastMonth}&to=${thisMonth}`);
      expect(series.status).toBe(200);
      expect(series.body.items).toEqual([
        { period: lastMonth, apiCalls: 12, limit: 1000, overageUnits: 0, closed: true },
        { period: thisMonth, apiCalls: 1190, limit: 1000, overageUnits: 190, closed: false },
      ]);
      const p = series.body.projection;
      expect(p).toMatchObject({ period: thisMonth, apiCallsSoFar: 1190, method: 'linear extrapolation by elapsed days' });
      expect(p.projectedApiCalls).toBeGreaterThanOrEqual(1190);
      expect(p.projectedOverageUnits).toBe(p.projectedApiCalls - 1000);
      expect(p.projectedOverageAmount.currency).toBe('EUR');
    });
  });

  describe('bad input: 400 (or a rejected row) naming the field, nothing partially written', () => {
    const valid = { name: 'Valid Co', billingAddress: '2 Road', billingEmail: 'ap@valid.test', terms: { monthlyApiLimit: 10, overageUnitPrice: '0.1', currency: 'USD', startDate: '2024-01-01' } };

    it.each([
      ['an unknown currency', { terms: { ...valid.terms, currency: 'ABC' } }, 'terms.currency'],
      ['a start date after the end date', { terms: { ...valid.terms, startDate: '2024-05-01', endDate: '2024-04-30' } }, 'terms.startDate'],
      ['a float price', { terms: { ...valid.terms, overageUnitPrice: 0.1 } }, 'terms.overageUnitPrice'],
      ['a negative limit', { terms: { ...valid.terms, monthlyApiLimit: -1 } }, 'terms.monthlyApiLimit'],
      ['a malformed e-mail', { billingEmail: 'nope' }, 'billingEmail'],
    ])('POST /api/customers with %s → 400 naming %s', async (_what, change, field) => {
      const before = await count('customers');
      const response = await h.call('Finance', 'POST', '/api/customers', { ...valid, ...change });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('request.invalid');
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await count('customers')).toBe(before);
    });

    it.each([
      ['a Sales user', SALES],
      ['a deactivated Customer Success user', GONE],
      ['an unknown user', 'nobody'],
    ])('POST /api/customers with %s as CSM → 400 customer.invalid_csm naming csmUserId', async (_what, csmUserId) => {
      const before = await count('events');
      const response = await h.call('Finance', 'POST', '/api/customers', { ...valid, csmUserId });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'customer.invalid_csm', errors: [{ field: 'csmUserId' }] });
      expect(await count('events')).toBe(before);
    });

    it('a deactivated CSM is refused until identity reactivates them (identity.v1 UserDeactivated / UserReactivated)', async () => {
      const userId = randomUUID();
      await h.registerUser({ userId, name: `Returning ${userId.slice(0, 8)}`, role: 'CustomerSuccess' });
      const identityEvent = (type: 'identity.v1.UserDeactivated' | 'identity.v1.UserReactivated') =>
        h.bus.publish(topicOf(type), [
          {
            key: `user-${userId}`,
            value: encodeIntegrationEvent({
              type,
              data: { userId },
              eventId: randomUUID(),
              occurredAt: new Date(),
              streamId: `user-${userId}`,
              streamVersion: 2n,
              correlationId: randomUUID(),
              causationId: randomUUID(),
              actor: SYSTEM_ACTOR,
            }),
          },
        ]);
      const register = (name: string) => h.call('Finance', 'POST', '/api/customers', { ...valid, name, csmUserId: userId });
      await identityEvent('identity.v1.UserDeactivated');
      expect((await register(`While away ${userId.slice(0, 8)}`)).body).toMatchObject({ code: 'customer.invalid_csm' });
      await identityEvent('identity.v1.UserReactivated');
      expect((await register(`After return ${userId.slice(0, 8)}`)).status).toBe(201);
    });

    it('PATCH with a valid name but an invalid CSM changes nothing (one transaction)', async () => {
      const id = customerIdOf('Customer3');
      const response = await h.call('Finance', 'PATCH', `/api/customers/${id}`, { billingAddress: 'Elsewhere', csmUserId: SALES });
      expect(response.status).toBe(400);
      expect((await h.call('Finance', 'GET', `/api/customers/${id}`)).body.billingAddress).toBe('3 Appian Way, Redmond, Washington');
      const noDate = await h.call('Finance', 'PATCH', `/api/customers/${id}`, { terms: { currency: 'XYZ' } });
      expect(noDate.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['effectiveFrom', 'terms.currency']);
    });

    it('a customers CSV with bad rows reports each with its line and column and imports the good ones', async () => {
      const csv = [
        'name,billing_address,billing_email,monthly_api_limit,overage_unit_cost,currency,start_date,end_date,require_csm_approval,csm',
        'Good1,"1 Street, Town",a@good1.test,100,0.5,USD,5/1/2017,,false,User4',
        'Bad1,"unclosed,a@bad.test,100,0.5,USD,2017-01-01,,false,User3',
        'Bad2,x,a@bad2.test,100,0.5,XXX,2017-01-01,,false,User3',
        'Bad3,x,a@bad3.test,100,0.5,USD,2017-06-01,2017-05-31,false,User3',
        'Bad4,x,a@bad4.test,100,0.5,USD,2017-01-01,,false,User1',
        'Bad5,x,a@bad5.test,-5,0.5,USD,2017-01-01,,false,User3',
        'Bad6,x,a@bad6.test,100,0.5,USD,2017-01-01',
        'Good2,x,a@good2.test,100,0.25,EUR,2017-01-01,2018-12-31,true,',
      ].join('\n');
      const report = await h.call('Finance', 'POST', '/api/customers/import', csv);
      expect(report.body.created).toBe(2);
      expect(report.body.rejected.map((r: { line: number; field: string }) => [r.line, r.field])).toEqual([
        [3, 'csv'],
        [4, 'currency'],
        [5, 'start_date'],
        [6, 'csm'],
        [7, 'monthly_api_limit'],
        [8, 'csv'],
      ]);
      expect((await h.call('Finance', 'GET', `/api/customers/${customerIdOf('Good1')}`)).body.terms.startDate).toBe('2017-05-01');
      expect((await h.call('Finance', 'GET', `/api/customers/${customerIdOf('Bad2')}`)).status).toBe(404);
    });

    it('a usages CSV with bad rows reports each with its line and column', async () => {
      const csv = ['customer,year,month,api_usage', 'Customer5,2017,5,-10', 'Nobody,2017,5,10', 'Customer5,2017,13,10', 'Customer5,2017,5,abc', 'Customer5,2017,6,10'].join('\n');
      const report = await h.call('Finance', 'POST', '/api/usage/import', csv);
      expect(report.body).toEqual({
        created: 1,
        corrected: 0,
        unchanged: 0,
        rejected: [
          { line: 2, field: 'api_usage', reason: 'must not be negative' },
          { line: 3, field: 'customer', reason: 'unknown customer Nobody' },
          { line: 4, field: 'month', reason: 'must be a month number 1–12' },
          { line: 5, field: 'api_usage', reason: 'must be a non-negative integer' },
        ],
      });
    });

    it('an import without a CSV body is a 400 naming body', async () => {
      const response = await h.call('Finance', 'POST', '/api/usage/import', { something: 1 });
      expect(response).toMatchObject({ status: 400, body: { code: 'import.invalid_body', errors: [{ field: 'body' }] } });
    });
  });

  it('learns role changes and deactivations from identity events', async () => {
    const id = customerIdOf('Customer9');
    await h.registerUser({ userId: USER4, name: 'User4', role: 'CustomerSuccess', active: false });
    const response = await h.call('Finance', 'PATCH', `/api/customers/${id}`, { csmUserId: USER4 });
    expect(response.status).toBe(200); // already its CSM: nothing to decide
    const reassign = await h.call('Finance', 'PATCH', `/api/customers/${customerIdOf('Customer1')}`, { csmUserId: USER4 });
    expect(reassign).toMatchObject({ status: 400, body: { code: 'customer.invalid_csm' } });
  });

  it('closes, on schedule, each month once it is past the grace window (idempotently)', async () => {
    const usage = h.app.get(UsageService);
    const period = monthFromNow(0);
    const [y, m] = period.split('-').map(Number) as [number, number];
    const endOfGrace = new Date(Date.UTC(y, m, 1 + 3)); // 3 grace days after the month's end
    expect(await usage.closeDuePeriods(3, SCHEDULER_ACTOR, new Date(endOfGrace.getTime() - 1))).not.toContain(period);
    expect(await usage.closeDuePeriods(3, SCHEDULER_ACTOR, endOfGrace)).toContain(period);
    expect(await usage.closeDuePeriods(3, SCHEDULER_ACTOR, endOfGrace)).toEqual([]);
    const acme = (await h.call('Finance', 'GET', `/api/usage?customerId=${customerIdOf('Acme')}&from=${period}&to=${period}`)).body.items[0];
    expect(acme).toMatchObject({ apiUsage: 1190, closed: true });
  });

  it('enforces the role × endpoint matrix on every route', async () => {
    expect(uncoveredRoutes(listRoutes(h.app), customersAccessMatrix)).toEqual([]);
    expect(await checkAccessMatrix(h.url, customersAccessMatrix, (role) => h.tokens.issue(role))).toEqual([]);
  }, 60_000);
});
