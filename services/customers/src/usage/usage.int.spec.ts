import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openTestPostgres, quoteIdentifier, uniqueSchema, type PgExecutor } from '@billing/database';
import { customerIdOf } from '../customer/customers.service.js';
import { startHarness, type Harness } from '../testing/harness.js';

const opened = await openTestPostgres(10);
const skip = 'skipReason' in opened ? opened.skipReason : undefined;
if (skip) console.warn(`usage.int.spec skipped: ${skip}`);

(skip ? describe.skip : describe)('usage ingestion on PostgreSQL: concurrent batches, group commit', () => {
  const db = (opened as { db: PgExecutor }).db;
  const schema = uniqueSchema('customers_int');
  let h: Harness;
  const period = new Date().toISOString().slice(0, 7);
  const timestamp = `${period}-01T00:00:00Z`;

  beforeAll(async () => {
    h = await startHarness(db, schema);
    await h.registerUser({ userId: 'csm-1', name: 'Csm', role: 'CustomerSuccess' });
    const csv = ['name,billing_address,billing_email,monthly_api_limit,overage_unit_cost,currency,start_date,end_date,require_csm_approval,csm', 'A,x,a@a.test,10,0.5,USD,2020-01-01,,false,Csm', 'B,x,b@b.test,10,0.5,USD,2020-01-01,,false,Csm'].join('\n');
    expect((await h.call('Finance', 'POST', '/api/customers/import', csv)).body.created).toBe(2);
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    await db.exec(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
    await db.close();
  });

  const totals = async () => {
    const rows = await db.query<{ customer_id: string; api_calls: string }>(`SELECT customer_id::text, api_calls::text FROM ${quoteIdentifier(schema)}.usage_totals WHERE period = $1 ORDER BY 1`, [period]);
    return Object.fromEntries(rows.rows.map((r) => [r.customer_id, Number(r.api_calls)]));
  };

  it('counts the same batch sent 3 times concurrently once, and overlapping batches without double counting', async () => {
    const batch = (prefix: string, from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => ({ eventId: `${prefix}-${from + i}`, externalKey: (from + i) % 2 === 0 ? 'A' : 'B', timestamp, quantity: 3 }));
    const same = batch('e', 0, 100);
    const overlapping = [batch('e', 50, 150), batch('e', 100, 200), batch('e', 0, 200)];
    const results = await Promise.all([...[same, same, same, ...overlapping].map((events) => h.call('Admin', 'POST', '/api/usage/events', { events }))]);
    expect(results.every((r) => r.status === 200)).toBe(true);
    const accepted = results.reduce((sum, r) => sum + (r.body.accepted as number), 0);
    const duplicates = results.reduce((sum, r) => sum + (r.body.duplicates as string[]).length, 0);
    expect(accepted).toBe(200);
    expect(accepted + duplicates).toBe(300 + 100 + 100 + 200);
    expect(await totals()).toEqual({ [customerIdOf('A')]: 300, [customerIdOf('B')]: 300 });
    const again = await h.call('Admin', 'POST', '/api/usage/events', { events: same });
    expect(again.body).toMatchObject({ accepted: 0, rejected: [] });
    expect(await totals()).toEqual({ [customerIdOf('A')]: 300, [customerIdOf('B')]: 300 });
  });
});
