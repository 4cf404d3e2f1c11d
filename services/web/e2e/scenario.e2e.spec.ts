/**
 * Browser tests of the web app (issue 7): Debian's Chromium driven by playwright-core against the
 * embedded runtime (in-process, in-memory PGlite) loaded with the BillProcess data through the
 * services' import endpoints. Every page visited is saved as a screenshot in `e2e/artifacts/`.
 * Skipped (with the reason) when `/usr/bin/chromium` is missing: `apt-get install -y chromium`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
// eslint-disable-next-line no-restricted-imports -- the browser test boots the whole platform in-process (issue 7)
import { startEmbedded, type EmbeddedRuntime } from '@billing/embedded';
import { call, loadBillProcess, PASSWORD } from './seed';
import { ensureBuilt, WEB_DIR, webOrigin } from './serve';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(WEB_DIR, 'e2e', 'artifacts');
const ADMIN = { name: 'Ada Admin', password: 'ada-admin-password-2026' };
const STEP = 90_000;

const maybe = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM)) console.warn(`web e2e skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

maybe('web app in Chromium against the embedded runtime with the BillProcess data', () => {
  let runtime: EmbeddedRuntime;
  let origin: { url: string; close: () => Promise<void>; proxied: boolean };
  let browser: Browser;
  let page: Page;
  let shots = 0;
  let billUrl = '';

  const shot = async (name: string) => {
    shots++;
    await page.screenshot({ path: join(ARTIFACTS, `${String(shots).padStart(2, '0')}-${name}.png`), fullPage: true });
  };
  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });

  const logIn = async (name: string, password = PASSWORD) => {
    await page.goto(`${origin.url}/welcome`);
    const form = page.getByRole('region', { name: 'Log in' });
    await form.getByLabel('Name or e-mail').fill(name);
    await form.getByLabel('Password').fill(password);
    await form.getByRole('button', { name: 'Log in' }).click();
    await heading('Bills').waitFor();
    await expect(page.getByTestId('current-user').textContent()).resolves.toContain(name);
  };
  const logOut = async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await heading('Welcome to Billing').waitFor();
  };
  const openBill = async () => {
    await page.goto(billUrl);
    await heading('Customer2 — October 2017').waitFor();
  };
  const statusIs = async (label: string) => {
    await page.locator('.bill-status .badge', { hasText: label }).waitFor();
  };

  beforeAll(async () => {
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    ensureBuilt();
    runtime = await startEmbedded({ DATABASE_URL: 'pglite://memory', PORT: 0, LOG_LEVEL: 'warn' });
    origin = await webOrigin(runtime.url);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await origin?.close();
    await runtime?.close();
  }, 60_000);

  it('0. the first user signs up on /welcome (and becomes Admin); the BillProcess data is imported', async () => {
    await page.goto(`${origin.url}/welcome`);
    await heading('Welcome to Billing').waitFor();
    await shot('welcome');
    const signUp = page.getByRole('region', { name: 'Sign up' });
    await signUp.getByLabel('Name', { exact: true }).fill(ADMIN.name);
    await signUp.getByLabel(/^Password/).fill(ADMIN.password);
    await signUp.getByLabel('Requested role').selectOption('Admin');
    await signUp.getByRole('button', { name: 'Sign up' }).click();
    await signUp.getByText(/Admin role/).waitFor();
    const { usersRejected } = await loadBillProcess(runtime.url, runtime.db, ADMIN);
    // users.csv: one user has an empty role (BillProcess quirk); nothing else is refused
    expect(usersRejected.length).toBeLessThanOrEqual(1);
    await logIn(ADMIN.name, ADMIN.password);
    await page.getByRole('link', { name: 'Users' }).click();
    await heading('Users').waitFor();
    await page.getByRole('cell', { name: 'User3', exact: true }).waitFor();
    await shot('users-admin');
    await logOut();
  }, STEP);

  it('1. Finance (User2) logs in and runs the bill run for October 2017', async () => {
    await logIn('User2');
    await shot('dashboard-empty');
    await page.getByRole('link', { name: 'Bill runs' }).click();
    await heading('Bill runs').waitFor();
    await page.getByLabel('Billing period').fill('2017-10');
    await page.getByRole('button', { name: 'Start bill run' }).click();
    await page.getByTestId('run-status').getByText('finished').waitFor({ timeout: 60_000 });
    const status = await page.getByTestId('run-status').textContent();
    expect(status).toMatch(/10 of 10 customers processed/);
    expect(status).not.toMatch(/ 0 drafted/);
    await shot('bill-runs');
    await page.getByRole('link', { name: 'See the bills of October 2017' }).click();
    await heading('Bills').waitFor();
    await page.getByRole('link', { name: 'Customer2', exact: true }).waitFor();
    await shot('dashboard-october-2017');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('bills-2017-10.csv');
    const csv = readFileSync((await download.path())!, 'utf8').split('\r\n');
    expect(csv[0]).toMatch(/^bill_id,customer,period,status/);
    expect(csv.filter((line) => line.includes(',Customer2,2017-10,draft,'))).toHaveLength(1);
    await page.getByText(`Exported ${csv.length - 2} bills.`).waitFor();
  }, STEP);

  it('2. Finance opens Customer2’s bill (amounts, terms used; no approve button) and submits it', async () => {
    await page.getByRole('link', { name: 'Customer2', exact: true }).click();
    await heading('Customer2 — October 2017').waitFor();
    billUrl = page.url();
    await statusIs('Draft');
    // Customer2: limit 200,000, 0.09 USD per call above it (terms used by the bill)
    await expect(page.getByRole('region', { name: 'Contract terms used' }).textContent()).resolves.toContain('200,000');
    await expect(page.getByRole('region', { name: 'Contract terms used' }).textContent()).resolves.toContain('0.09 USD');
    await expect(page.getByTestId('bill-total').textContent()).resolves.toMatch(/USD$/);
    await expect(page.getByRole('button', { name: 'Approve' }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Reject' }).count()).resolves.toBe(0);
    await shot('bill-draft-finance');
    await page.getByRole('button', { name: 'Submit for approval' }).click();
    await statusIs('Pending approval');
    await expect(page.getByRole('button', { name: 'Approve' }).count()).resolves.toBe(0);
    await shot('bill-submitted');
    await logOut();
  }, STEP);

  it('3. the CSM (User3) logs in and approves from the inbox', async () => {
    await logIn('User3');
    await page.getByRole('link', { name: 'Approvals' }).click();
    await heading('Approvals').waitFor();
    const item = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Customer2 — October 2017' }) });
    await item.waitFor({ timeout: 30_000 });
    await shot('approvals-inbox-csm');
    await item.getByLabel(/Comment/).fill('Customer Success has approved this bill.');
    await item.getByRole('button', { name: 'Approve Customer2 — October 2017' }).click();
    await page.getByText('Approved: Customer2 — October 2017.').waitFor();
    await logOut();
  }, STEP);

  it('4. Sales (User1) approves; a Sales user sees no "send" button', async () => {
    await logIn('User1');
    await page.getByRole('link', { name: 'Approvals' }).click();
    const item = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Customer2 — October 2017' }) });
    await item.waitFor({ timeout: 30_000 });
    await shot('approvals-inbox-sales');
    await item.getByLabel(/Comment/).fill('Sales has also approved this bill.');
    await item.getByRole('button', { name: 'Approve Customer2 — October 2017' }).click();
    await page.getByText('Approved: Customer2 — October 2017.').waitFor();
    await openBill();
    await statusIs('Approved');
    await expect(page.getByRole('button', { name: /send/i }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: /revert/i }).count()).resolves.toBe(0);
    await shot('bill-approved-sales');
    await logOut();
  }, STEP);

  it('5. Finance sends the bill; a Finance user sees no "approve" button', async () => {
    await logIn('User2');
    await openBill();
    await statusIs('Approved');
    await expect(page.getByRole('button', { name: /^(approve|reject)/i }).count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Send bill' }).click();
    await statusIs('Sent');
    await shot('bill-sent');
  }, STEP);

  it('6. the timeline shows every action with names and comments', async () => {
    const timeline = page.getByTestId('timeline');
    // the CSM's step: from billing's stream or, when billing does not record steps, from the approvals service
    await timeline.locator('li[data-action-type="BillApprovalStepRecorded"], li[data-action-type="ApprovalStepApproved"]').first().waitFor();
    const entries = timeline.locator(':scope > li');
    const texts = await entries.allTextContents();
    const find = (type: string) => timeline.locator(`li[data-action-type="${type}"]`);
    expect(texts.length).toBeGreaterThanOrEqual(5);
    await expect(find('BillDrafted').locator('.actor').first().textContent()).resolves.toBe('User2');
    await expect(find('BillSubmitted').locator('.actor').first().textContent()).resolves.toBe('User2');
    const approvals = timeline.locator('li[data-action-type="BillApprovalStepRecorded"], li[data-action-type="BillApproved"], li[data-action-type="ApprovalStepApproved"]');
    const approvalTexts = await approvals.allTextContents();
    expect(approvalTexts.some((t) => t.includes('User3') && t.includes('Customer Success has approved this bill.'))).toBe(true);
    expect(approvalTexts.some((t) => t.includes('User1') && t.includes('Sales has also approved this bill.'))).toBe(true);
    await expect(find('BillSent').locator('.actor').first().textContent()).resolves.toBe('User2');
    // every entry names its actor and its time
    for (const text of texts) expect(text).toMatch(/by \S+ \(\w+\) · \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    await shot('bill-timeline');
  }, STEP);

  it('7. reverting the send shows the bill approved again; "as of" shows earlier versions', async () => {
    await page.getByRole('button', { name: 'Revert “Sent” by User2' }).click();
    await page.getByLabel('Reason for reverting “Sent”').fill('Sent too early: the customer asked for a corrected address.');
    await page.getByRole('button', { name: 'Confirm revert' }).click();
    await statusIs('Approved');
    await page.getByTestId('timeline').locator('li[data-action-type="BillActionReverted"]').getByText('Sent too early').waitFor();
    await expect(page.getByRole('button', { name: 'Send bill' }).count()).resolves.toBe(1);
    await shot('bill-send-reverted');
    await page.getByLabel('As of').selectOption({ index: (await page.getByLabel('As of').locator('option').count()) - 1 });
    await page.getByText(/You are looking at version 1 of/).waitFor();
    await statusIs('Draft');
    await expect(page.getByRole('region', { name: 'Actions' }).count()).resolves.toBe(0);
    await shot('bill-as-of-version-1');
  }, STEP);

  it('another user’s change appears without a reload (polling)', async () => {
    await openBill();
    const { accessToken } = await call<{ accessToken: string }>(runtime.url, 'POST', '/api/session', { json: { name: 'User1', password: PASSWORD } });
    await call(runtime.url, 'POST', `/api/bills/${encodeURIComponent(decodeURIComponent(billUrl.split('/bills/')[1]!))}/comments`, {
      token: accessToken,
      json: { comment: 'Sales: the customer confirmed the address.' },
    });
    const comment = page.getByTestId('timeline').locator('li[data-action-type="BillCommented"]');
    await comment.getByText('Sales: the customer confirmed the address.').waitFor();
    await expect(comment.locator('.actor').textContent()).resolves.toBe('User1');
  }, STEP);

  it('customers: the list with search, and a customer with terms history and the usage chart', async () => {
    await page.getByRole('link', { name: 'Customers' }).click();
    await heading('Customers').waitFor();
    await page.getByRole('link', { name: 'Customer10', exact: true }).waitFor();
    await page.getByLabel('Search customers').fill('customer2');
    await page.getByText('1 customers').waitFor();
    await shot('customers-search');
    await page.getByRole('link', { name: 'Customer2', exact: true }).click();
    await heading('Customer2').waitFor();
    await page.getByLabel('12 months ending').fill('2017-12');
    await page.locator('svg g[data-period="2017-12"]').waitFor();
    // Customer2's 2017 usage goes above its 200,000 limit in some months: those bars are highlighted
    expect(await page.locator('svg g[data-overage="true"] rect.overage').count()).toBeGreaterThan(0);
    expect(await page.locator('svg .limit-line').count()).toBe(12);
    await shot('customer-usage');
  }, STEP);

  it('the pages are usable at phone width (390 px)', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await openBill();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await shot('bill-phone');
    await page.goto(`${origin.url}/dashboard?period=2017-10`);
    await page.getByRole('link', { name: 'Customer2', exact: true }).waitFor();
    await shot('dashboard-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  }, STEP);

  it('is keyboard-usable: a new page focuses its title, the status filters are reached with Tab and work with Enter', async () => {
    await page.goto(`${origin.url}/dashboard`);
    await heading('Bills').waitFor();
    // the title takes the focus once the page rendered (an effect after the first paint)
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1' && document.activeElement.textContent === 'Bills');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('All');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Draft');
    await page.keyboard.press('Enter');
    await page.waitForURL(/status=draft/);
    await page.locator('[aria-label="Status"] button[aria-pressed="true"]', { hasText: /^Draft$/ }).waitFor();
  }, STEP);
});
