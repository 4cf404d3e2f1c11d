import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { openTestPostgres, quoteIdentifier, TEST_DATABASE_URL, uniqueSchema } from '@billing/database';
import { startDistributed, type DistributedPlatform } from '@billing/distributed';
import { startEmbedded } from '@billing/embedded';
import { expectedBills, runMonthEnd, type BillSnapshot } from './month-end.js';

const root = new URL('../../../', import.meta.url).pathname;
const log = (line: string) => process.stdout.write(`  month-end: ${line}\n`);
let embedded: BillSnapshot[] | undefined;

/** Checks the bills against the rule computed from the CSVs, independently of the platform. */
async function expectRuleFigures(bills: readonly BillSnapshot[]): Promise<void> {
  const expected = await expectedBills();
  const generated = bills.filter((bill) => !(bill.customerName === 'Customer1' && bill.period === '2017-10'));
  expect(generated.map((b) => [b.customerName, b.period, b.overageUnits, b.amountMinor, b.status]).sort()).toEqual(
    expected.map((e) => [e.customerName, e.period, e.overageUnits.toString(), e.amountMinor.toString(), 'sent']).sort(),
  );
  // Every bill's history shows each approval step with its actor and comment, in policy order.
  for (const rule of expected) {
    const bill = generated.find((b) => b.customerName === rule.customerName && b.period === rule.period)!;
    const approvals = bill.actions.filter((a) => a.type === 'BillApprovalStepRecorded' || a.type === 'BillApproved');
    const approvers = rule.requireCsmApproval ? [rule.csm, 'User1'] : ['User1'];
    expect(approvals.filter((a) => a.type === 'BillApprovalStepRecorded').map((a) => [a.actor, a.comment])).toEqual(approvers.map((name) => [name, `Approved by ${name}`]));
    expect(approvals.filter((a) => a.type === 'BillApproved').map((a) => [a.actor, a.comment])).toEqual([['User1', 'Approved by User1']]);
    expect(bill.actions.map((a) => a.type)).toEqual(expect.arrayContaining(['BillDrafted', 'BillSubmitted', 'BillSent']));
  }
  const historical = bills.find((bill) => bill.customerName === 'Customer1' && bill.period === '2017-10');
  expect(historical).toMatchObject({ overageUnits: '220000', unitPrice: '0.01', amountMinor: '220000', currency: 'USD', status: 'sent' });
  expect(historical?.actions.map((a) => a.actor)).toEqual(expect.arrayContaining(['User2', 'User3', 'User1']));
}

describe('month-end close of 2017 on the BillProcess data', () => {
  it('embedded runtime: bills every month by the rule, approves by policy, sends', async () => {
    const runtime = await startEmbedded({ PORT: 0, DATABASE_URL: 'pglite://memory', DEMO_MODE: false, LOG_LEVEL: 'error' });
    try {
      embedded = await runMonthEnd(runtime.url, [runtime.url], { log });
    } finally {
      await runtime.close();
    }
    await expectRuleFigures(embedded);
  }, 600_000);

  describe('distributed: a process per service, PostgreSQL and Kafka', () => {
    let platform: DistributedPlatform | undefined;
    const prefix = `${uniqueSchema('e2e')}_`;

    afterAll(async () => {
      await platform?.stop();
      const probe = await openTestPostgres(1);
      if (!('skipReason' in probe)) {
        for (const service of ['identity', 'customers', 'billing', 'approvals', 'gateway']) {
          await probe.db.exec(`DROP SCHEMA IF EXISTS ${quoteIdentifier(`${prefix}${service}`)} CASCADE`);
        }
        await probe.db.close();
      }
    }, 60_000);

    it('produces the same bills and histories, also after billing is killed (-9) in the middle of a bill run', async () => {
      const probe = await openTestPostgres(1);
      if ('skipReason' in probe) {
        console.warn(`SKIPPING the distributed month-end: ${probe.skipReason}`);
        return;
      }
      await probe.db.close();
      const build = spawnSync(process.execPath, ['tools/build-runtime.mjs'], { cwd: root, encoding: 'utf8' });
      expect(build.status).toBe(0);
      // Below Linux's ephemeral range (32768+), where client sockets of other tests could hold the port.
      const port = 20_000 + Math.floor(Math.random() * 12_000);
      platform = await startDistributed({
        databaseUrl: TEST_DATABASE_URL,
        schemaPrefix: prefix,
        port,
        // Only what needs a look: start-up restarts and errors.
        output: (name, line) => {
          if (/exited during start-up|ERROR|failed/i.test(line)) log(`[${name}] ${line}`);
        },
      });
      const running = platform;
      const services = [running.urls.identity, running.urls.customers, running.urls.billing, running.urls.approvals];
      const bills = await runMonthEnd(running.url, services, {
        log,
        afterRunStarted: async (period) => {
          if (period !== '2017-06') return;
          await running.kill('billing', 'SIGKILL');
          log('billing killed with SIGKILL during the bill run of 2017-06; restarting it');
          await running.restart('billing');
        },
      });
      await expectRuleFigures(bills);
      if (embedded) expect(bills).toEqual(embedded);
    }, 900_000);
  });
});
