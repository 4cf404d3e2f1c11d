import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { DecodedIntegrationEvent } from '@billing/contracts';
import type { BusContext } from '@billing/messaging';
import { OnIntegrationEvent } from '@billing/service-kit';
import { ApprovalsService, processIdOf } from './approvals.service.js';
import type { ApprovalActor } from './process/approval.decider.js';

/** Consumer group of the approvals service. */
const SERVICE = 'approvals';

function origin(event: DecodedIntegrationEvent): { actor: ApprovalActor; correlationId: string; causationId: string } {
  return {
    actor: { userId: event.actor.userId, role: event.actor.role, name: event.actor.displayName },
    correlationId: event.correlationId,
    causationId: event.eventId,
  };
}

/**
 * What the approvals service learns from other contexts (each handler runs once per event, in the
 * transaction of its dedup record):
 * - customers.v1: the customer's name, CSM and `require_csm_approval` (local `customers` table);
 * - identity.v1: users' names, roles and active flag (local `users` table);
 * - billing.v1: BillSubmitted opens an approval process; BillVoided, and BillActionReverted of the
 *   submission, cancel the open one.
 */
@Controller()
export class IntegrationEventsController {
  constructor(@Inject(ApprovalsService) private readonly approvals: ApprovalsService) {}

  /** customers.v1.CustomerRegistered → the customer's name, CSM (may be absent) and terms flag; opens the processes parked for it. */
  @OnIntegrationEvent(SERVICE, 'customers.v1.CustomerRegistered')
  async onCustomerRegistered(@Payload() e: DecodedIntegrationEvent<'customers.v1.CustomerRegistered'>, @Ctx() ctx: BusContext): Promise<void> {
    await this.approvals.lockCustomer(e.message.customerId, ctx.getTransaction());
    await ctx.getTransaction().query(
      `INSERT INTO ${this.approvals.s}.customers (customer_id, name, csm_user_id, require_csm_approval) VALUES ($1, $2, $3, $4)
       ON CONFLICT (customer_id) DO UPDATE SET name = EXCLUDED.name, csm_user_id = COALESCE(EXCLUDED.csm_user_id, ${this.approvals.s}.customers.csm_user_id),
         require_csm_approval = EXCLUDED.require_csm_approval, updated_at = now()`,
      [e.message.customerId, e.message.name, e.message.csmUserId ?? null, e.message.terms?.requireCsmApproval ?? false],
    );
    await this.approvals.releaseParked(e.message.customerId, ctx.getTransaction());
  }

  /** customers.v1.CsmAssigned → the customer's CSM (for processes opened from now on). */
  @OnIntegrationEvent(SERVICE, 'customers.v1.CsmAssigned')
  async onCsmAssigned(@Payload() e: DecodedIntegrationEvent<'customers.v1.CsmAssigned'>, @Ctx() ctx: BusContext): Promise<void> {
    await ctx.getTransaction().query(
      `INSERT INTO ${this.approvals.s}.customers (customer_id, csm_user_id) VALUES ($1, $2)
       ON CONFLICT (customer_id) DO UPDATE SET csm_user_id = EXCLUDED.csm_user_id, updated_at = now()`,
      [e.message.customerId, e.message.csmUserId],
    );
  }

  /**
   * customers.v1.CustomerTermsChanged → `require_csm_approval` as of the new terms. It applies to
   * submissions from when the event is received (open processes keep their snapshot).
   */
  @OnIntegrationEvent(SERVICE, 'customers.v1.CustomerTermsChanged')
  async onTermsChanged(@Payload() e: DecodedIntegrationEvent<'customers.v1.CustomerTermsChanged'>, @Ctx() ctx: BusContext): Promise<void> {
    await ctx.getTransaction().query(
      `INSERT INTO ${this.approvals.s}.customers (customer_id, require_csm_approval) VALUES ($1, $2)
       ON CONFLICT (customer_id) DO UPDATE SET require_csm_approval = EXCLUDED.require_csm_approval, updated_at = now()`,
      [e.message.customerId, e.message.terms?.requireCsmApproval ?? false],
    );
  }

  /** identity.v1.UserRegistered → the user's name, role and active flag. */
  @OnIntegrationEvent(SERVICE, 'identity.v1.UserRegistered')
  async onUserRegistered(@Payload() e: DecodedIntegrationEvent<'identity.v1.UserRegistered'>, @Ctx() ctx: BusContext): Promise<void> {
    await ctx.getTransaction().query(
      `INSERT INTO ${this.approvals.s}.users (user_id, name, role, active) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id) DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role, active = EXCLUDED.active, updated_at = now()`,
      [e.message.userId, e.message.name, e.message.role === '' ? null : e.message.role, e.message.active],
    );
  }

  /** identity.v1.UserRoleChanged → the user's role. */
  @OnIntegrationEvent(SERVICE, 'identity.v1.UserRoleChanged')
  async onUserRoleChanged(@Payload() e: DecodedIntegrationEvent<'identity.v1.UserRoleChanged'>, @Ctx() ctx: BusContext): Promise<void> {
    await ctx.getTransaction().query(
      `INSERT INTO ${this.approvals.s}.users (user_id, role) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET role = EXCLUDED.role, updated_at = now()`,
      [e.message.userId, e.message.role],
    );
  }

  /** identity.v1.UserDeactivated → the user is inactive. */
  @OnIntegrationEvent(SERVICE, 'identity.v1.UserDeactivated')
  async onUserDeactivated(@Payload() e: DecodedIntegrationEvent<'identity.v1.UserDeactivated'>, @Ctx() ctx: BusContext): Promise<void> {
    await ctx.getTransaction().query(
      `INSERT INTO ${this.approvals.s}.users (user_id, active) VALUES ($1, false) ON CONFLICT (user_id) DO UPDATE SET active = false, updated_at = now()`,
      [e.message.userId],
    );
  }

  /** identity.v1.UserReactivated → the user is active again. */
  @OnIntegrationEvent(SERVICE, 'identity.v1.UserReactivated')
  async onUserReactivated(@Payload() e: DecodedIntegrationEvent<'identity.v1.UserReactivated'>, @Ctx() ctx: BusContext): Promise<void> {
    await ctx.getTransaction().query(
      `INSERT INTO ${this.approvals.s}.users (user_id, active) VALUES ($1, true) ON CONFLICT (user_id) DO UPDATE SET active = true, updated_at = now()`,
      [e.message.userId],
    );
  }

  /**
   * billing.v1.BillSubmitted → opens the bill's approval process, with the customer's policy and CSM
   * as they are now (snapshot). The submitter is the envelope's actor.
   * A submission for a customer not known yet is parked until its CustomerRegistered is consumed.
   */
  @OnIntegrationEvent(SERVICE, 'billing.v1.BillSubmitted')
  async onBillSubmitted(@Payload() e: DecodedIntegrationEvent<'billing.v1.BillSubmitted'>, @Ctx() ctx: BusContext): Promise<void> {
    const m = e.message;
    const from = origin(e);
    await this.approvals.openForSubmission(
      {
        processId: processIdOf(m.billId, m.actionId),
        billId: m.billId,
        submitActionId: m.actionId,
        customerId: m.customerId,
        period: m.period,
        amount: { amountMinor: (m.amount?.amountMinor ?? 0n).toString(), currency: m.amount?.currency ?? '' },
        overageUnits: m.overageUnits.toString(),
        includedApiCalls: m.includedApiCalls.toString(),
        draftedByUserId: m.draftedByUserId,
        submittedBy: from.actor,
        comment: m.comment,
        now: e.occurredAt.toISOString(),
      },
      from,
      ctx.getTransaction(),
    );
  }

  /** billing.v1.BillVoided → cancels the open process, if any (or forgets a parked submission). */
  @OnIntegrationEvent(SERVICE, 'billing.v1.BillVoided')
  async onBillVoided(@Payload() e: DecodedIntegrationEvent<'billing.v1.BillVoided'>, @Ctx() ctx: BusContext): Promise<void> {
    await this.approvals.dropParked(e.message.billId, ctx.getTransaction());
    await this.approvals.execute(
      e.message.billId,
      { type: 'CancelApproval', data: { billId: e.message.billId, reason: 'bill_voided', actionId: e.message.actionId, revertedActionId: null, detail: e.message.reason, now: e.occurredAt.toISOString() } },
      origin(e),
      ctx.getTransaction(),
    );
  }

  /** billing.v1.BillActionReverted → cancels the open process when the reverted action is its submission. */
  @OnIntegrationEvent(SERVICE, 'billing.v1.BillActionReverted')
  async onActionReverted(@Payload() e: DecodedIntegrationEvent<'billing.v1.BillActionReverted'>, @Ctx() ctx: BusContext): Promise<void> {
    await this.approvals.dropParked(e.message.billId, ctx.getTransaction(), e.message.revertedActionId);
    await this.approvals.execute(
      e.message.billId,
      {
        type: 'CancelApproval',
        data: {
          billId: e.message.billId,
          reason: 'submission_reverted',
          actionId: e.message.actionId,
          revertedActionId: e.message.revertedActionId,
          detail: e.message.reason,
          now: e.occurredAt.toISOString(),
        },
      },
      origin(e),
      ctx.getTransaction(),
    );
  }
}
