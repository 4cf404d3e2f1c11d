import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Patch, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { CurrentUser, Roles, type Principal } from '@billing/auth';
import { formatMinor } from '@billing/money';
import { SERVICE_CONTEXT, type ServiceContext } from '@billing/service-kit';
import { billIdOf, customerOfBillId, type ActorJson, type BillEvent, type BillState } from '../bill/bill.decider.js';
import { BillError, billNotFound } from '../bill/bill.errors.js';
import type { TermsJson } from '../bill/bill.rules.js';
import { BillCommands, table, type BillCommandFor } from '../bill/bill.service.js';

const PERIOD = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month yyyy-mm');
const PRICE = z.string().regex(/^(0|[1-9]\d*)(\.\d{1,12})?$/, 'a non-negative decimal string such as "0.01"');
const TEXT = z.string().trim().min(1).max(2000);
const limitOffset = { limit: z.coerce.number().int().min(1).max(500).default(50), offset: z.coerce.number().int().min(0).default(0) };

const listQuery = z.object({
  status: z.enum(['draft', 'pending_approval', 'approved', 'sent', 'void']).optional(),
  period: PERIOD.optional(),
  customerId: z.string().min(1).optional(),
  csmUserId: z.string().min(1).optional(),
  sort: z.enum(['period', '-period', 'amount', '-amount', 'customer', '-customer', 'status', '-status', 'updatedAt', '-updatedAt']).default('-period'),
  ...limitOffset,
});
const detailQuery = z.object({ version: z.coerce.number().int().min(1).optional(), at: z.iso.datetime({ offset: true }).optional() });
const draftBody = z.object({ customerId: z.string().min(1), period: PERIOD, allowZero: z.boolean().optional(), comment: TEXT.optional() });
const adjustBody = z.object({ unitPrice: PRICE, reason: TEXT });
const commentOptional = z.object({ comment: z.string().max(2000).optional() }).default({});
const reasonBody = z.object({ reason: TEXT });
const commentBody = z.object({ comment: TEXT });
const lineBody = z.object({ kind: z.enum(['charge', 'discount', 'surcharge']), description: TEXT, quantity: PRICE, unitPrice: PRICE });
const billIdParam = z.string().regex(/^.+-\d{4}-(0[1-9]|1[0-2])$/, 'a bill id <customerId>-<yyyy-mm>');

const SORTS: Record<string, string> = {
  period: 'b.period, b.bill_id',
  amount: 'b.amount_minor, b.bill_id',
  customer: 'c.name, b.bill_id',
  status: 'b.status, b.bill_id',
  updatedAt: 'b.updated_at, b.bill_id',
};

/** An amount as the API answers it: minor units (string), currency and the formatted major amount. */
export const moneyOut = (amountMinor: string, currency: string) => ({ amountMinor, currency, amount: formatMinor(BigInt(amountMinor), currency) });

function actorOf(user: Principal): ActorJson {
  return { userId: user.userId, role: user.role ?? 'none', name: user.name };
}

/** `If-Match: "3"` (or `W/"3"`, `3`) → 3n; absent → undefined. @throws 400 `bill.invalid_if_match`. */
export function parseIfMatch(header: string | undefined): bigint | undefined {
  if (header === undefined || header.trim() === '' || header.trim() === '*') return undefined;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!match) throw new BillError('bill.invalid_if_match', 'If-Match must be a bill version such as "3"', { status: 400 });
  return BigInt(match[1]!);
}

/** One action of a bill's history as the API shows it. */
function actionOut(event: BillEvent, version: number, state: BillState, names: Map<string, string>) {
  const d = event.data as unknown as Record<string, unknown> & { actionId: string; actor: ActorJson; at: string };
  const revertedBy = state.actions.find((a) => a.type === 'BillActionReverted' && a.data.revertedActionId === d.actionId && !state.reverted.includes(a.data.actionId));
  const { billId: _b, actionId, actor, at, ...details } = d;
  return {
    actionId,
    version,
    type: event.type,
    actor: { userId: actor.userId, role: actor.role, name: names.get(actor.userId) ?? actor.name },
    at,
    comment: (d.comment as string | undefined) ?? (d.reason as string | undefined) ?? null,
    reverted: state.reverted.includes(actionId),
    revertedBy: revertedBy?.data.actionId ?? null,
    details,
  };
}

/**
 * The bills API (issue 5). Reads are open to every role (Finance, Customer Success, Sales, Admin);
 * Finance drafts, adjusts, submits, sends, voids and reverts; every role comments (see
 * `access-matrix.ts`). Approve and reject are the approvals service's routes. Responses of one bill carry
 * `ETag: "<stream version>"`; writes honour `If-Match` (412 `bill.version_mismatch` when stale).
 */
@Controller('api/bills')
export class BillsController {
  constructor(
    @Inject(SERVICE_CONTEXT) private readonly service: ServiceContext,
    @Inject(BillCommands) private readonly bills: BillCommands,
  ) {}

  /**
   * `GET /api/bills?status&period&customerId&csmUserId&sort&limit&offset` → `{ items, total, limit, offset,
   * totals: [{ currency, amountMinor, amount, count }] }` (totals over every matching bill, per currency).
   */
  @Roles('Finance', 'CustomerSuccess', 'Sales', 'Admin')
  @Get()
  async list(@Query({ schema: listQuery }) q: z.output<typeof listQuery>) {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.status) add('b.status = ?', q.status);
    if (q.period) add('b.period = ?', q.period);
    if (q.customerId) add('b.customer_id = ?', q.customerId);
    if (q.csmUserId) add('c.csm_user_id = ?', q.csmUserId);
    const s = this.service.schema;
    const from = `${table(s, 'bills')} b LEFT JOIN ${table(s, 'customers')} c ON c.customer_id = b.customer_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
    const desc = q.sort.startsWith('-');
    const order = SORTS[q.sort.replace('-', '')]!.split(', ').map((col) => `${col} ${desc ? 'DESC' : 'ASC'}`).join(', ');
    const rows = await this.service.db.query<Record<string, string | boolean | null>>(
      `SELECT b.bill_id, b.customer_id, c.name AS customer_name, c.csm_user_id, b.period, b.status, b.currency, b.unit_price,
              b.usage_api_calls::text, b.included_api_calls::text, b.overage_units::text, b.amount_minor::text, b.version::text,
              b.drafted_by, b.drafted_at, b.updated_at, b.usage_corrected
         FROM ${from} ORDER BY ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.limit, q.offset],
    );
    const totals = await this.service.db.query<{ currency: string; amount_minor: string; count: string }>(
      `SELECT b.currency, sum(b.amount_minor)::text AS amount_minor, count(*)::text AS count FROM ${from} GROUP BY b.currency ORDER BY b.currency`,
      params,
    );
    return {
      items: rows.rows.map((r) => ({
        billId: r.bill_id,
        customerId: r.customer_id,
        customerName: r.customer_name,
        csmUserId: r.csm_user_id,
        period: r.period,
        status: r.status,
        amount: moneyOut(String(r.amount_minor), String(r.currency)),
        unitPrice: r.unit_price,
        usageApiCalls: r.usage_api_calls,
        includedApiCalls: r.included_api_calls,
        overageUnits: r.overage_units,
        version: Number(r.version),
        draftedBy: r.drafted_by,
        draftedAt: r.drafted_at,
        updatedAt: r.updated_at,
        usageCorrected: r.usage_corrected,
      })),
      total: totals.rows.reduce((sum, t) => sum + Number(t.count), 0),
      limit: q.limit,
      offset: q.offset,
      totals: totals.rows.map((t) => ({ ...moneyOut(t.amount_minor, t.currency), count: Number(t.count) })),
    };
  }

  /**
   * `GET /api/bills/:billId[?version=n | ?at=<ISO instant>]`: the bill as it is, or as it was at version n
   * or at that time (the last action at or before it): figures, terms used, lines, status and the action
   * history with actor names. `ETag` = the CURRENT version. 404 `bill.not_found` (also before the first action).
   */
  @Roles('Finance', 'CustomerSuccess', 'Sales', 'Admin')
  @Get(':billId')
  async detail(
    @Param('billId', { schema: billIdParam }) billId: string,
    @Query({ schema: detailQuery }) q: z.output<typeof detailQuery>,
    @Res({ passthrough: true }) res: Response,
  ) {
    let to: bigint | undefined = q.version !== undefined ? BigInt(q.version) : undefined;
    if (q.at !== undefined) {
      const at = new Date(q.at).getTime();
      const history = await this.bills.history(billId);
      const last = history.filter((h) => new Date(h.event.data.at).getTime() <= at).at(-1);
      if (!last) throw billNotFound(billId);
      to = BigInt(last.version);
    }
    const { state, currentVersion } = await this.bills.load(billId, to);
    if (state.draft === null) throw billNotFound(billId);
    if (to !== undefined && to > currentVersion) throw new BillError('bill.version_not_found', `bill ${billId} has no version ${to} (it is at ${currentVersion})`, { status: 404 });
    res.setHeader('ETag', `"${currentVersion}"`);
    return this.#detail(state, Number(currentVersion));
  }

  /** `GET /api/bills/:billId/actions?limit&offset`: the bill's actions in order, with actor names and revert flags. */
  @Roles('Finance', 'CustomerSuccess', 'Sales', 'Admin')
  @Get(':billId/actions')
  async actions(
    @Param('billId', { schema: billIdParam }) billId: string,
    @Query({ schema: z.object(limitOffset) }) q: { limit: number; offset: number },
    @Res({ passthrough: true }) res: Response,
  ) {
    const { state, currentVersion } = await this.bills.load(billId);
    if (state.draft === null) throw billNotFound(billId);
    res.setHeader('ETag', `"${currentVersion}"`);
    const names = await this.#names(state);
    const items = state.actions.map((a, i) => actionOut(a, i + 1, state, names));
    return { items: items.slice(q.offset, q.offset + q.limit), total: items.length, limit: q.limit, offset: q.offset };
  }

  /**
   * `POST /api/bills { customerId, period, allowZero? }` (Finance): drafts the customer-month's bill by the
   * generation rule (`bill.rules.ts`) → 201 with the bill. 404 `bill.customer_unknown`; 422
   * `bill.usage_not_closed` / `bill.period_in_future` / `bill.contract_inactive` / `bill.grace_period` /
   * `bill.zero_amount`; 409 `bill.already_exists` naming the bill.
   */
  @Roles('Finance')
  @Post()
  async draft(@Body({ schema: draftBody }) body: z.output<typeof draftBody>, @CurrentUser() user: Principal, @Res({ passthrough: true }) res: Response) {
    const billId = billIdOf(body.customerId, body.period);
    const lookups = await draftLookups(this.service, body.customerId, body.period);
    const result = await this.bills.execute(billId, {
      type: 'DraftBill',
      data: { actor: actorOf(user), at: new Date().toISOString(), customerId: body.customerId, period: body.period, allowZero: body.allowZero ?? false, comment: body.comment ?? null, ...lookups },
    });
    res.setHeader('ETag', `"${result.version}"`);
    res.setHeader('Location', `/api/bills/${billId}`);
    return this.#detail(result.state, result.version);
  }

  /** `PATCH /api/bills/:billId { unitPrice, reason }` (Finance, draft only): new unit price, amount recomputed. */
  @Roles('Finance')
  @Patch(':billId')
  async adjust(@Param('billId', { schema: billIdParam }) billId: string, @Body({ schema: adjustBody }) body: z.output<typeof adjustBody>, @Headers('if-match') ifMatch: string | undefined, @CurrentUser() user: Principal, @Res({ passthrough: true }) res: Response) {
    return this.#run(billId, { type: 'AdjustUnitPrice', data: { actor: actorOf(user), at: new Date().toISOString(), ...body } }, ifMatch, res);
  }

  /** `POST /api/bills/:billId/lines { kind, description, quantity, unitPrice }` (Finance, draft only): adds a charge, discount or surcharge. */
  @Roles('Finance')
  @Post(':billId/lines')
  @HttpCode(200)
  async addLine(@Param('billId', { schema: billIdParam }) billId: string, @Body({ schema: lineBody }) body: z.output<typeof lineBody>, @Headers('if-match') ifMatch: string | undefined, @CurrentUser() user: Principal, @Res({ passthrough: true }) res: Response) {
    return this.#run(billId, { type: 'AddLine', data: { actor: actorOf(user), at: new Date().toISOString(), ...body } }, ifMatch, res);
  }

  /** `POST /api/bills/:billId/lines/:lineId/remove { reason }` (Finance, draft only). 404 `bill.line_not_found`. */
  @Roles('Finance')
  @Post(':billId/lines/:lineId/remove')
  @HttpCode(200)
  async removeLine(@Param('billId', { schema: billIdParam }) billId: string, @Param('lineId') lineId: string, @Body({ schema: reasonBody }) body: z.output<typeof reasonBody>, @Headers('if-match') ifMatch: string | undefined, @CurrentUser() user: Principal, @Res({ passthrough: true }) res: Response) {
    return this.#run(billId, { type: 'RemoveLine', data: { actor: actorOf(user), at: new Date().toISOString(), lineId, reason: body.reason } }, ifMatch, res);
  }

  /** `POST /api/bills/:billId/submit { comment? }` (Finance): draft → pending_approval (publishes BillSubmitted for approvals). */
  @Roles('Finance')
  @Post(':billId/submit')
  @HttpCode(200)
  async submit(@Param('billId', { schema: billIdParam }) billId: string, @Body({ schema: commentOptional }) body: { comment?: string }, @Headers('if-match') ifMatch: string | undefined, @CurrentUser() user: Principal, @Res({ passthrough: true }) res: Response) {
    return this.#run(billId, { type: 'SubmitBill', data: { actor: actorOf(user), at: new Date().toISOString(), comment: body?.comment ?? '' } }, ifMatch, res);
  }

  /** `POST /api/bills/:billId/send { comment? }` (Finance): approved → sent; 409 `bill.invalid_status` otherwise. */
  @Roles('Finance')
  @Post(':billId/send')
  @HttpCode(200)
  async send(@Param('billId', { schema: billIdParam }) billId: string, @Body({ schema: commentOptional }) body: { comment?: string }, @Headers('if-match') ifMatch: string | undefined, @CurrentUser() user: Principal, @Res({ passthrough: true }) res: Response) {
    return this.#run(billId, { type: 'SendBill', data: { actor: actorOf(user), at: new Date().toISOString(), comment: body?.comment ?? '' } }, ifMatch, res);
  }

  /** `POST /api/bills/:billId/void { reason }` (Finance): any status but void → void. */
  @Roles('Finance')
  @Post(':billId/void')
  @HttpCode(200)
  async void(@Param('billId', { schema: billIdParam }) billId: string, @Body({ schema: reasonBody }) body: z.output<typeof reasonBody>, @Headers('if-match') ifMatch: string | undefined, @CurrentUser() user: Principal, @Res({ passthrough: true }) res: Response) {
    return this.#run(billId, { type: 'VoidBill', data: { actor: actorOf(user), at: new Date().toISOString(), reason: body.reason } }, ifMatch, res);
  }

  /** `POST /api/bills/:billId/comments { comment }` (every role): a comment action, in any status. */
  @Roles('Finance', 'CustomerSuccess', 'Sales', 'Admin')
  @Post(':billId/comments')
  @HttpCode(200)
  async comment(@Param('billId', { schema: billIdParam }) billId: string, @Body({ schema: commentBody }) body: z.output<typeof commentBody>, @Headers('if-match') ifMatch: string | undefined, @CurrentUser() user: Principal, @Res({ passthrough: true }) res: Response) {
    return this.#run(billId, { type: 'CommentBill', data: { actor: actorOf(user), at: new Date().toISOString(), comment: body.comment } }, ifMatch, res);
  }

  /**
   * `POST /api/bills/:billId/actions/:actionId/revert { reason }` (Finance): undoes the action's effect
   * (a revert can be reverted). 404 `bill.action_not_found`; 409 `bill.action_already_reverted` /
   * `bill.revert_conflict`; 422 `bill.action_not_revertible` (the draft).
   */
  @Roles('Finance')
  @Post(':billId/actions/:actionId/revert')
  @HttpCode(200)
  async revert(@Param('billId', { schema: billIdParam }) billId: string, @Param('actionId') actionId: string, @Body({ schema: reasonBody }) body: z.output<typeof reasonBody>, @Headers('if-match') ifMatch: string | undefined, @CurrentUser() user: Principal, @Res({ passthrough: true }) res: Response) {
    return this.#run(billId, { type: 'RevertAction', data: { actor: actorOf(user), at: new Date().toISOString(), revertedActionId: actionId, reason: body.reason } }, ifMatch, res);
  }

  async #run(billId: string, command: BillCommandFor, ifMatch: string | undefined, res: Response) {
    const result = await this.bills.execute(billId, command, parseIfMatch(ifMatch));
    res.setHeader('ETag', `"${result.version}"`);
    return this.#detail(result.state, result.version);
  }

  async #names(state: BillState): Promise<Map<string, string>> {
    const ids = [...new Set(state.actions.map((a) => a.data.actor.userId))];
    const rows = await this.service.db.query<{ user_id: string; name: string }>(`SELECT user_id, name FROM ${table(this.service.schema, 'users')} WHERE user_id = ANY($1::text[])`, [ids]);
    return new Map(rows.rows.map((r) => [r.user_id, r.name]));
  }

  async #detail(state: BillState, currentVersion: number) {
    const draft = state.draft!;
    const customer = await this.service.db.query<{ name: string; csm_user_id: string | null }>(`SELECT name, csm_user_id FROM ${table(this.service.schema, 'customers')} WHERE customer_id = $1`, [draft.customerId]);
    const names = await this.#names(state);
    return {
      billId: draft.billId,
      customerId: draft.customerId,
      customerName: customer.rows[0]?.name ?? null,
      csmUserId: customer.rows[0]?.csm_user_id ?? null,
      period: draft.period,
      status: state.view.status,
      version: state.version,
      currentVersion,
      usageApiCalls: draft.usageApiCalls,
      includedApiCalls: draft.includedApiCalls,
      overageUnits: draft.overageUnits,
      unitPrice: state.view.unitPrice,
      overageAmount: moneyOut(state.view.overageAmountMinor, draft.currency),
      lines: state.view.lines.map((l) => ({ ...l, amount: moneyOut(l.amountMinor, draft.currency) })),
      amount: moneyOut(state.view.amountMinor, draft.currency),
      terms: draft.terms,
      usageCorrection: state.view.usageCorrection,
      imported: draft.imported ?? false,
      actions: state.actions.map((a, i) => actionOut(a, i + 1, state, names)),
    };
  }
}

/** What drafting needs from the read models: the customer's terms history (null = unknown) and the closed usage. */
export async function draftLookups(service: ServiceContext, customerId: string, period: string): Promise<{ termsHistory: TermsJson[] | null; usageApiCalls: string | null }> {
  const terms = await service.db.query<{ terms: TermsJson }>(`SELECT terms FROM ${table(service.schema, 'customer_terms')} WHERE customer_id = $1 ORDER BY effective_from`, [customerId]);
  const usage = await service.db.query<{ api_calls: string }>(`SELECT api_calls::text FROM ${table(service.schema, 'usage_totals')} WHERE customer_id = $1 AND period = $2`, [customerId, period]);
  return { termsHistory: terms.rows.length > 0 ? terms.rows.map((r) => r.terms) : null, usageApiCalls: usage.rows[0]?.api_calls ?? null };
}

export { customerOfBillId };
