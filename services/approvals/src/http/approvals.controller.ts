import { Body, Controller, Get, Inject, Param, Patch, Query } from '@nestjs/common';
import { z } from 'zod';
import { CurrentUser, Roles, type Principal } from '@billing/auth';
import { ApprovalsService } from '../approvals.service.js';
import { ApprovalNotFoundError } from '../process/approval.errors.js';
import { assertApprovingRole, checkMayAct, type ApprovalActor, type ProcessState } from '../process/approval.decider.js';
import { processView, userIdsOf, type ProcessView } from './views.js';

const billId = z.string().trim().min(1).max(200);

/** Body of `PATCH /api/bills/:id/approve`: an optional note (the body itself may be omitted). */
export const approveBodySchema = z.object({ comment: z.string().max(2000).optional().default('') }).default({ comment: '' });

/** Body of `PATCH /api/bills/:id/reject`: the reason, required and not blank. */
export const rejectBodySchema = z.object({
  comment: z
    .string({ error: 'required: say why the bill is rejected' })
    .max(2000)
    .refine((value) => value.trim() !== '', { message: 'must not be blank: say why the bill is rejected' }),
});

/** Query of the inbox `GET /api/approvals`. */
export const inboxQuerySchema = z.object({
  assignee: z.enum(['me']).default('me'),
  status: z.enum(['pending', 'approved', 'rejected', 'all']).default('pending'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/** An inbox entry: the process and what the caller did or may do on it. */
export interface InboxItem extends ProcessView {
  /** `pending`: the caller may approve or reject the open step now; `approved`/`rejected`: the caller did. */
  myStatus: 'pending' | 'approved' | 'rejected';
}

const actorOf = (user: Principal): ApprovalActor => ({ userId: user.userId, role: user.role, name: user.name });

/**
 * Approving and rejecting bills, the approvals inbox and a bill's approval history (issue 6).
 * Every role passes the guard on approve/reject so that the domain answers with its own codes:
 * Finance gets 403 `approval.forbidden_role` whether or not the bill exists.
 */
@Controller('api')
export class ApprovalsController {
  constructor(@Inject(ApprovalsService) private readonly approvals: ApprovalsService) {}

  /**
   * `PATCH /api/bills/:id/approve` `{ comment? }`: approves the open step of the bill's approval process
   * as the caller. 200 with the process ({@link ProcessView}); when it was the last step the process is
   * `approved` and BillApprovalGranted is published (billing records BillApproved).
   * Errors: 403 `approval.forbidden_role` (Finance), `approval.own_bill` (drafted or submitted it),
   * `approval.not_customer_csm`, `approval.not_eligible`; 404 `approval.not_found`; 409
   * `approval.already_acted`, `approval.waiting_for_previous_step`, `approval.no_open_process`.
   */
  @Roles('Finance', 'CustomerSuccess', 'Sales', 'Admin')
  @Patch('bills/:id/approve')
  async approve(
    @Param('id', { schema: billId }) id: string,
    @Body({ schema: approveBodySchema }) body: z.output<typeof approveBodySchema>,
    @CurrentUser() user: Principal,
  ): Promise<ProcessView> {
    return this.#act('ApproveBill', id, body.comment, user);
  }

  /**
   * `PATCH /api/bills/:id/reject` `{ comment }`: rejects the bill at the open step; the process ends and
   * BillApprovalRejected (with the comment) is published (billing records BillRejected, the bill goes
   * back to draft). 200 with the process. Errors: 400 `request.invalid` naming `comment` when it is
   * missing or blank; otherwise those of approve.
   */
  @Roles('Finance', 'CustomerSuccess', 'Sales', 'Admin')
  @Patch('bills/:id/reject')
  async reject(
    @Param('id', { schema: billId }) id: string,
    @Body({ schema: rejectBodySchema }) body: z.output<typeof rejectBodySchema>,
    @CurrentUser() user: Principal,
  ): Promise<ProcessView> {
    return this.#act('RejectBill', id, body.comment, user);
  }

  /** Approves or rejects the open step of the bill's current process as `user` (the rules are the decider's). */
  async #act(type: 'ApproveBill' | 'RejectBill', id: string, comment: string, user: Principal): Promise<ProcessView> {
    assertApprovingRole(user.role);
    const process = await this.#current(id);
    const csm = (await this.approvals.customer(process.customerId))?.csmUserId ?? null;
    const { state } = await this.approvals.execute(
      id,
      { type, data: { billId: id, actor: actorOf(user), comment, currentCsmUserId: csm, now: new Date().toISOString() } },
      { actor: actorOf(user) },
    );
    return this.#view(state.processes.at(-1)!, csm);
  }

  /**
   * `GET /api/approvals?assignee=me&status=pending|approved|rejected|all&limit=&offset=`: the caller's
   * inbox, `{ items, total, limit, offset }` of {@link InboxItem}. `pending`: open processes whose open
   * step the caller may act on now (every eligibility rule applied, so Finance's inbox is empty);
   * `approved` / `rejected`: processes in which the caller approved a step / rejected the bill;
   * `all`: both. Pending items oldest first; the others newest first.
   */
  @Roles('Finance', 'CustomerSuccess', 'Sales', 'Admin')
  @Get('approvals')
  async inbox(@Query({ schema: inboxQuerySchema }) query: z.output<typeof inboxQuerySchema>, @CurrentUser() user: Principal) {
    const me = actorOf(user);
    const items: { process: ProcessState; csm: string | null; myStatus: InboxItem['myStatus'] }[] = [];
    if (query.status === 'pending' || query.status === 'all') {
      const open = await this.approvals.context.db.query<{ process: ProcessState; csm_user_id: string | null }>(
        `SELECT p.process, c.csm_user_id FROM ${this.approvals.s}.approval_processes p
           LEFT JOIN ${this.approvals.s}.customers c ON c.customer_id = p.customer_id
          WHERE p.status = 'pending' ORDER BY p.opened_at, p.process_id`,
      );
      for (const row of open.rows) {
        try {
          checkMayAct({ processes: [row.process] }, row.process.billId, me, row.csm_user_id);
          items.push({ process: row.process, csm: row.csm_user_id, myStatus: 'pending' });
        } catch {
          // not actionable by the caller now
        }
      }
    }
    if (query.status !== 'pending') {
      const acted = await this.approvals.context.db.query<{ process: ProcessState; csm_user_id: string | null; rejected: boolean }>(
        `SELECT p.process, c.csm_user_id, (p.process->'rejection'->'rejectedBy'->>'userId' IS NOT DISTINCT FROM $1) AS rejected
           FROM ${this.approvals.s}.approval_processes p
           LEFT JOIN ${this.approvals.s}.customers c ON c.customer_id = p.customer_id
          WHERE ($2 AND p.process->'approvals' @> $3::jsonb) OR ($4 AND p.process->'rejection'->'rejectedBy'->>'userId' = $1)
          ORDER BY p.opened_at DESC, p.process_id`,
        [me.userId, query.status !== 'rejected', JSON.stringify([{ approver: { userId: me.userId } }]), query.status !== 'approved'],
      );
      for (const row of acted.rows) items.push({ process: row.process, csm: row.csm_user_id, myStatus: row.rejected ? 'rejected' : 'approved' });
    }
    const page = items.slice(query.offset, query.offset + query.limit);
    const names = await this.approvals.userNames(page.flatMap((item) => userIdsOf(item.process, item.csm)));
    return {
      items: page.map((item): InboxItem => ({ ...processView(item.process, names, item.csm), myStatus: item.myStatus })),
      total: items.length,
      limit: query.limit,
      offset: query.offset,
    };
  }

  /**
   * `GET /api/approvals/:billId`: the bill's current approval process and the past ones
   * (`{ billId, current, past }`, past newest first), each with its steps, who acted, when and their
   * comment, and its history. 404 `approval.not_found` when the bill was never submitted.
   */
  @Roles('Finance', 'CustomerSuccess', 'Sales', 'Admin')
  @Get('approvals/:billId')
  async detail(@Param('billId', { schema: billId }) id: string): Promise<{ billId: string; current: ProcessView; past: ProcessView[] }> {
    const processes = await this.approvals.processesOf(id);
    const current = processes.at(-1);
    if (current === undefined) throw new ApprovalNotFoundError(id);
    const csm = (await this.approvals.customer(current.customerId))?.csmUserId ?? null;
    const names = await this.approvals.userNames(processes.flatMap((p) => userIdsOf(p, csm)));
    return { billId: id, current: processView(current, names, csm), past: processes.slice(0, -1).reverse().map((p) => processView(p, names, csm)) };
  }

  async #current(id: string): Promise<ProcessState> {
    const current = (await this.approvals.processesOf(id)).at(-1);
    if (current === undefined) throw new ApprovalNotFoundError(id);
    return current;
  }

  async #view(process: ProcessState, csm: string | null): Promise<ProcessView> {
    return processView(process, await this.approvals.userNames(userIdsOf(process, csm)), csm);
  }
}
