import { Controller, Inject, Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { v5 as uuidv5 } from 'uuid';
import type { ContractTerms, DecodedIntegrationEvent } from '@billing/contracts';
import type { BusContext } from '@billing/messaging';
import { DomainError } from '@billing/platform';
import { OnIntegrationEvent, SERVICE_CONTEXT, type ServiceContext } from '@billing/service-kit';
import { billIdOf, type ActorJson } from '../bill/bill.decider.js';
import type { TermsJson } from '../bill/bill.rules.js';
import { BillCommands, recordFact, type BillCommandFor } from '../bill/bill.service.js';
import type { SqlQueryable } from '@billing/database';

/** Namespace of the billing service's deterministic UUIDs (v5): fact event ids, imported data. */
export const BILLING_NAMESPACE = '5a4f2d1e-3c8b-5b7a-9e61-7d2f0c4b8a93';

/** `customers.v1.ContractTerms` → billing's JSON terms, effective from `effectiveFrom`. */
export function termsToJson(terms: ContractTerms | undefined, effectiveFrom?: string): TermsJson {
  if (!terms) throw new Error('contract terms are missing');
  return {
    monthlyApiLimit: terms.monthlyApiLimit.toString(),
    overageUnitPrice: terms.overageUnitPrice,
    currency: terms.currency,
    startDate: terms.startDate,
    endDate: terms.endDate ?? null,
    requireCsmApproval: terms.requireCsmApproval,
    overageGraceMonths: terms.overageGraceMonths,
    effectiveFrom: effectiveFrom ?? terms.startDate,
  };
}

type Envelope = Pick<DecodedIntegrationEvent, 'eventId' | 'occurredAt' | 'correlationId' | 'actor'>;

/**
 * Billing's consumers of other contexts' integration events (consumer group `billing`):
 * - customers, terms, CSMs, closed usage totals and users are recorded as facts in billing's own store
 *   and projected into its read models (see `read-models.ts`);
 * - a usage correction of a billed month adds a `BillUsageCorrected` action to the bill (flag + comment;
 *   the amount is NOT changed: Finance adjusts, or voids and redrafts);
 * - `approvals.v1.ApprovalStepApproved` records `BillApprovalStepRecorded` (the approver, for the history);
 * - `approvals.v1.BillApprovalGranted` / `BillApprovalRejected` record BillApproved / BillRejected,
 *   acted by the envelope's actor. A refusal of the bill decider (e.g. the bill was voided meanwhile) is
 *   logged and the event is consumed: it is a business outcome, retrying would not change it.
 */
@Controller()
export class BillingEventsController {
  readonly #logger = new Logger('billing.events');

  constructor(
    @Inject(SERVICE_CONTEXT) private readonly service: ServiceContext,
    @Inject(BillCommands) private readonly bills: BillCommands,
  ) {}

  #meta(e: Envelope): Record<string, unknown> {
    return { eventId: uuidv5(e.eventId, BILLING_NAMESPACE), causationId: e.eventId, correlationId: e.correlationId };
  }

  @OnIntegrationEvent('billing', 'customers.v1.CustomerRegistered')
  async onCustomerRegistered(@Payload() e: DecodedIntegrationEvent<'customers.v1.CustomerRegistered'>, @Ctx() ctx: BusContext): Promise<void> {
    const m = e.message;
    await recordFact(this.service, ctx.getTransaction(), `customer-${m.customerId}`, {
      type: 'CustomerRegistered',
      data: { customerId: m.customerId, name: m.name, csmUserId: m.csmUserId ?? null, terms: termsToJson(m.terms), at: e.occurredAt.toISOString() },
      metadata: this.#meta(e),
    });
  }

  @OnIntegrationEvent('billing', 'customers.v1.CustomerTermsChanged')
  async onTermsChanged(@Payload() e: DecodedIntegrationEvent<'customers.v1.CustomerTermsChanged'>, @Ctx() ctx: BusContext): Promise<void> {
    const m = e.message;
    await recordFact(this.service, ctx.getTransaction(), `customer-${m.customerId}`, {
      type: 'CustomerTermsChanged',
      data: { customerId: m.customerId, terms: termsToJson(m.terms, m.effectiveFrom), at: e.occurredAt.toISOString() },
      metadata: this.#meta(e),
    });
  }

  @OnIntegrationEvent('billing', 'customers.v1.CsmAssigned')
  async onCsmAssigned(@Payload() e: DecodedIntegrationEvent<'customers.v1.CsmAssigned'>, @Ctx() ctx: BusContext): Promise<void> {
    const m = e.message;
    await recordFact(this.service, ctx.getTransaction(), `customer-${m.customerId}`, {
      type: 'CsmAssigned',
      data: { customerId: m.customerId, csmUserId: m.csmUserId, at: e.occurredAt.toISOString() },
      metadata: this.#meta(e),
    });
  }

  @OnIntegrationEvent('billing', 'customers.v1.UsagePeriodClosed')
  async onUsageClosed(@Payload() e: DecodedIntegrationEvent<'customers.v1.UsagePeriodClosed'>, @Ctx() ctx: BusContext): Promise<void> {
    const m = e.message;
    await recordFact(this.service, ctx.getTransaction(), `usage-${m.customerId}-${m.period}`, {
      type: 'UsagePeriodClosed',
      data: { customerId: m.customerId, period: m.period, apiCalls: m.apiCalls.toString(), at: e.occurredAt.toISOString() },
      metadata: this.#meta(e),
    });
  }

  @OnIntegrationEvent('billing', 'customers.v1.UsageCorrected')
  async onUsageCorrected(@Payload() e: DecodedIntegrationEvent<'customers.v1.UsageCorrected'>, @Ctx() ctx: BusContext): Promise<void> {
    const m = e.message;
    const tx = ctx.getTransaction();
    await recordFact(this.service, tx, `usage-${m.customerId}-${m.period}`, {
      type: 'UsageCorrected',
      data: { customerId: m.customerId, period: m.period, previousApiCalls: m.previousApiCalls.toString(), apiCalls: m.apiCalls.toString(), at: e.occurredAt.toISOString() },
      metadata: this.#meta(e),
    });
    await this.#onBill(tx, billIdOf(m.customerId, m.period), e, {
      type: 'RecordUsageCorrection',
      data: { actor: systemActor(e), at: e.occurredAt.toISOString(), previousApiCalls: m.previousApiCalls.toString(), apiCalls: m.apiCalls.toString() },
    });
  }

  @OnIntegrationEvent('billing', 'identity.v1.UserRegistered')
  async onUserRegistered(@Payload() e: DecodedIntegrationEvent<'identity.v1.UserRegistered'>, @Ctx() ctx: BusContext): Promise<void> {
    const m = e.message;
    await recordFact(this.service, ctx.getTransaction(), `user-${m.userId}`, {
      type: 'UserRegistered',
      data: { userId: m.userId, name: m.name, role: m.role, at: e.occurredAt.toISOString() },
      metadata: this.#meta(e),
    });
  }

  @OnIntegrationEvent('billing', 'identity.v1.UserRoleChanged')
  async onUserRoleChanged(@Payload() e: DecodedIntegrationEvent<'identity.v1.UserRoleChanged'>, @Ctx() ctx: BusContext): Promise<void> {
    const m = e.message;
    await recordFact(this.service, ctx.getTransaction(), `user-${m.userId}`, {
      type: 'UserRoleChanged',
      data: { userId: m.userId, role: m.role, at: e.occurredAt.toISOString() },
      metadata: this.#meta(e),
    });
  }

  /** Each approved step is recorded on the bill (`BillApprovalStepRecorded`, actor = the approver), for the history. */
  @OnIntegrationEvent('billing', 'approvals.v1.ApprovalStepApproved')
  async onStepApproved(@Payload() e: DecodedIntegrationEvent<'approvals.v1.ApprovalStepApproved'>, @Ctx() ctx: BusContext): Promise<void> {
    const m = e.message;
    await this.#onBill(ctx.getTransaction(), m.billId, e, {
      type: 'RecordApprovalStep',
      data: {
        actor: { userId: m.approverUserId || e.actor.userId, role: m.approverRole || e.actor.role, name: e.actor.displayName },
        at: e.occurredAt.toISOString(),
        stepIndex: m.stepIndex,
        comment: m.comment,
      },
    });
  }

  @OnIntegrationEvent('billing', 'approvals.v1.BillApprovalGranted')
  async onApprovalGranted(@Payload() e: DecodedIntegrationEvent<'approvals.v1.BillApprovalGranted'>, @Ctx() ctx: BusContext): Promise<void> {
    await this.#onBill(ctx.getTransaction(), e.message.billId, e, {
      type: 'ApproveBill',
      data: { actor: systemActor(e), at: e.occurredAt.toISOString(), comment: e.message.comment, processId: e.message.processId },
    });
  }

  @OnIntegrationEvent('billing', 'approvals.v1.BillApprovalRejected')
  async onApprovalRejected(@Payload() e: DecodedIntegrationEvent<'approvals.v1.BillApprovalRejected'>, @Ctx() ctx: BusContext): Promise<void> {
    const m = e.message;
    await this.#onBill(ctx.getTransaction(), m.billId, e, {
      type: 'RejectBill',
      data: {
        actor: { userId: m.userId || e.actor.userId, role: m.role || e.actor.role, name: e.actor.displayName },
        at: e.occurredAt.toISOString(),
        comment: m.comment,
        stepIndex: m.stepIndex,
        processId: m.processId,
      },
    });
  }

  async #onBill(tx: SqlQueryable, billId: string, e: Envelope, command: BillCommandFor): Promise<void> {
    try {
      await this.bills.execute(billId, command, undefined, { store: this.service.store.withTransaction(tx), tx });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.#logger.warn(`event ${e.eventId} not applied to bill ${billId}: ${error.code}: ${error.message}`);
    }
  }
}

function systemActor(e: Envelope): ActorJson {
  return { userId: e.actor.userId, role: e.actor.role, name: e.actor.displayName };
}
