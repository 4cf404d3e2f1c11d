/**
 * The platform's main job on real input (issue 8), as a script against a running platform's public
 * HTTP API, so that the same scenario runs in both topologies: import the BillProcess data, bill
 * every month of 2017, approve each bill by its customer's policy with the right users, send the
 * bills, and return every bill's figures, status and action history for comparison.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lineAmount } from '@billing/money';

/** The project's own copy of the BillProcess dataset. */
export const SEED = fileURLToPath(new URL('../../../seed/bill-process/', import.meta.url));
/** Password of every user the scenario creates or sets up. */
export const E2E_PASSWORD = 'month-end close 2017!';

/** A bill as the scenario compares it between topologies (no timestamps, no random ids). */
export interface BillSnapshot {
  billId: string;
  customerName: string;
  period: string;
  overageUnits: string;
  unitPrice: string;
  amountMinor: string;
  currency: string;
  status: string;
  actions: { actionId: string; type: string; actor: string; comment: string | null; reverted: boolean }[];
}

/** A bill the generation rule says must exist, computed here from the CSVs, independently of the platform. */
export interface ExpectedBill {
  customerName: string;
  period: string;
  overageUnits: bigint;
  amountMinor: bigint;
  requireCsmApproval: boolean;
  csm: string;
}

/** Splits one CSV line (quoted fields may hold commas). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) {
      fields.push(current);
      current = '';
    } else current += char;
  }
  fields.push(current);
  return fields;
}

async function csv(file: string): Promise<Record<string, string>[]> {
  const [header, ...rows] = (await readFile(join(SEED, file), 'utf8')).trim().split(/\r?\n/);
  const names = csvFields(header!);
  return rows.map((row) => Object.fromEntries(csvFields(row).map((value, index) => [names[index]!, value])));
}

/**
 * The 2017 bills the rule implies (README of the dataset): overage units = max(0, usage − limit),
 * amount = units × unit cost rounded once; none in the first 3 calendar months of the contract, none
 * before its start, none under the limit. The historical bill (Customer1, 2017-10) is imported as is.
 */
export async function expectedBills(): Promise<ExpectedBill[]> {
  const customers = new Map((await csv('customers.csv')).map((c) => [c['name']!, c]));
  const expected: ExpectedBill[] = [];
  for (const usage of await csv('usages.csv')) {
    const customer = customers.get(usage['customer']!)!;
    const [startYear, startMonth] = customer['start_date']!.split('-').map(Number) as [number, number];
    const monthIndex = Number(usage['year']) * 12 + Number(usage['month']) - (startYear * 12 + startMonth);
    const period = `${usage['year']}-${String(usage['month']).padStart(2, '0')}`;
    if (monthIndex < 3) continue;
    const units = BigInt(usage['api_usage']!) - BigInt(customer['monthly_api_limit']!);
    if (units <= 0n) continue;
    if (customer['name'] === 'Customer1' && period === '2017-10') continue; // the imported historical bill
    expected.push({
      customerName: customer['name']!,
      period,
      overageUnits: units,
      amountMinor: lineAmount(units, customer['overage_unit_cost']!, customer['currency']!).amountMinor,
      requireCsmApproval: customer['require_csm_approval'] === 'true',
      csm: customer['csm']!,
    });
  }
  return expected;
}

/** A tiny API client: JSON in and out, problems raised as errors with the answer. */
export class Api {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  /** The same API with `token`. */
  as(token: string): Api {
    return new Api(this.baseUrl, token);
  }

  /** Calls the API; resolves with the status and the parsed body. */
  async call<T = unknown>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {};
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = contentType;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** Calls the API and requires a 2xx. @throws Error naming the call and the answer. */
  async ok<T = unknown>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const { status, body: answer } = await this.call<T>(method, path, body, contentType);
    if (status < 200 || status >= 300) throw new Error(`${method} ${path} answered ${status}: ${JSON.stringify(answer)}`);
    return answer;
  }

  /** Logs in and returns the API as that user. */
  async login(name: string, password = E2E_PASSWORD): Promise<Api> {
    const { accessToken } = await this.ok<{ accessToken: string }>('POST', '/api/session', { name, password });
    return this.as(accessToken);
  }
}

/** Polls `probe` every 200 ms until it returns true. @throws Error naming `what` after `timeoutMs`. */
export async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
}

/**
 * Waits until every service has handled every integration event published so far: each `/health`
 * of `healthUrls` reports consumer lag 0, twice 500 ms apart (outbox relays poll every 200 ms).
 */
export async function quiesce(healthUrls: readonly string[]): Promise<void> {
  const idle = async () => {
    for (const url of healthUrls) {
      const report = (await (await fetch(`${url}/health`)).json()) as { modules: Record<string, { checks: Record<string, { lag?: number }> }> };
      for (const module of Object.values(report.modules)) if ((module.checks['consumer']?.lag ?? 0) > 0) return false;
    }
    return true;
  };
  await until('every consumer caught up', async () => (await idle()) && (await new Promise((r) => setTimeout(r, 500))) === undefined && (await idle()), 120_000);
}

/** Hooks of {@link runMonthEnd}, for crash tests. */
export interface MonthEndHooks {
  /** Called right after the bill run of `period` was started. */
  afterRunStarted?(period: string): Promise<void>;
  /** Progress lines. */
  log?(line: string): void;
}

/**
 * Runs the month-end close of 2017 on an EMPTY platform at `baseUrl` (see the module comment) and
 * returns every bill. `healthUrls`: where to watch consumers catch up (the embedded runtime's URL, or
 * each service's URL).
 */
export async function runMonthEnd(baseUrl: string, healthUrls: readonly string[], hooks: MonthEndHooks = {}): Promise<BillSnapshot[]> {
  const log = hooks.log ?? (() => undefined);
  const anonymous = new Api(baseUrl);
  // 1. An empty installation: the first sign-up becomes Admin. Then the BillProcess data.
  await anonymous.ok('POST', '/api/users', { name: 'e2e-admin', password: E2E_PASSWORD });
  const admin = await anonymous.login('e2e-admin');
  const users = await admin.ok<{ created: number; setupTokens: { name: string; token: string }[] }>('POST', '/api/users/import', await readFile(join(SEED, 'users.csv'), 'utf8'), 'text/csv');
  for (const setup of users.setupTokens) await anonymous.ok('POST', '/api/users/password-setup', { token: setup.token, password: E2E_PASSWORD });
  const [sales, finance, user3, user4] = await Promise.all(['User1', 'User2', 'User3', 'User4'].map((name) => anonymous.login(name)));
  const approvers: Record<string, Api> = { User1: sales!, User3: user3!, User4: user4! };
  await quiesce(healthUrls); // customers must know the CSMs before the customers import
  await finance!.ok('POST', '/api/customers/import', await readFile(join(SEED, 'customers.csv'), 'utf8'), 'text/csv');
  await finance!.ok('POST', '/api/usage/import', await readFile(join(SEED, 'usages.csv'), 'utf8'), 'text/csv');
  await quiesce(healthUrls); // billing must know the users (for the historical bill's actors), customers and closed usage
  await finance!.ok('POST', '/api/bills/import', await readFile(join(SEED, 'bills.json'), 'utf8'));
  log('imported users, customers, usages and the historical bill');

  // 2. The bill run of every month of 2017.
  for (let month = 1; month <= 12; month++) {
    const period = `2017-${String(month).padStart(2, '0')}`;
    const run = await finance!.ok<{ runId: string }>('POST', '/api/bill-runs', { period });
    await hooks.afterRunStarted?.(period);
    await until(`the bill run of ${period} finished`, async () => {
      const progress = await finance!.ok<{ status: string }>('GET', `/api/bill-runs/${run.runId}`);
      return progress.status === 'completed' || progress.status === 'finished' || progress.status === 'done';
    }, 120_000);
  }
  log('bill runs done');

  // 3. Submit every draft, approve by policy, 4. send.
  const customers = await admin.ok<{ items: { customerId: string; name: string }[] }>('GET', '/api/customers?limit=500');
  const nameOf = new Map(customers.items.map((c) => [c.customerId, c.name]));
  const expected = new Map((await expectedBills()).map((bill) => [`${bill.customerName}/${bill.period}`, bill]));
  const drafts = await finance!.ok<{ items: { billId: string; customerId: string; period: string }[] }>('GET', '/api/bills?status=draft&limit=500&sort=period');
  for (const bill of drafts.items) {
    await finance!.ok('POST', `/api/bills/${bill.billId}/submit`, { comment: 'Month-end close' });
  }
  await quiesce(healthUrls);
  for (const bill of drafts.items) {
    const rule = expected.get(`${nameOf.get(bill.customerId)}/${bill.period}`);
    const steps = rule?.requireCsmApproval ? [rule.csm, 'User1'] : ['User1'];
    for (const approver of steps) {
      await until(`${approver} may approve ${bill.billId}`, async () => (await approvers[approver]!.call('PATCH', `/api/bills/${bill.billId}/approve`, { comment: `Approved by ${approver}` })).status === 200, 60_000);
    }
  }
  await quiesce(healthUrls);
  for (const bill of drafts.items) {
    await until(`${bill.billId} is approved`, async () => (await finance!.ok<{ status: string }>('GET', `/api/bills/${bill.billId}`)).status === 'approved');
    await finance!.ok('POST', `/api/bills/${bill.billId}/send`, { comment: 'Sent at month-end' });
  }
  log(`submitted, approved and sent ${drafts.items.length} bills`);

  // 5. Every bill, as the comparison between topologies needs it.
  const all = await finance!.ok<{ items: { billId: string }[] }>('GET', '/api/bills?limit=500&sort=period');
  const snapshots: BillSnapshot[] = [];
  for (const { billId } of all.items) {
    const detail = await finance!.ok<Record<string, unknown>>('GET', `/api/bills/${billId}`);
    const actions = await finance!.ok<{ items: { actionId: string; type: string; actor: { name: string }; comment: string | null; reverted: boolean }[] }>('GET', `/api/bills/${billId}/actions?limit=500`);
    const amount = detail['amount'] as { amountMinor: string; currency: string };
    snapshots.push({
      billId,
      customerName: nameOf.get(String(detail['customerId'])) ?? String(detail['customerId']),
      period: String(detail['period']),
      overageUnits: String(detail['overageUnits']),
      unitPrice: String(detail['unitPrice']),
      amountMinor: amount.amountMinor,
      currency: amount.currency,
      status: String(detail['status']),
      actions: actions.items.map((a) => ({ actionId: a.actionId, type: a.type, actor: a.actor.name, comment: a.comment, reverted: a.reverted })),
    });
  }
  return snapshots.sort((a, b) => a.billId.localeCompare(b.billId));
}
