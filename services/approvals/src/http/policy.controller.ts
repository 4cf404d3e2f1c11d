import { Body, Controller, Get, Inject, Param, Put } from '@nestjs/common';
import { z } from 'zod';
import { CurrentUser, Roles, type Principal } from '@billing/auth';
import { isCurrency } from '@billing/money';
import { ApprovalsService, type PolicyRecord } from '../approvals.service.js';
import { CustomerNotFoundError } from '../process/approval.errors.js';
import { stepLabel, type PolicyStep } from '../policy/policy.js';

const approverSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('roles'), roles: z.array(z.enum(['Sales', 'CustomerSuccess', 'Admin'])).min(1).max(3) }),
  z.object({ kind: z.literal('customer_csm') }),
]);

const conditionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('amount_at_least'),
    amountMinor: z.string().regex(/^\d{1,18}$/, 'an integer number of minor units, as a string'),
    currency: z.string().refine((value) => isCurrency(value), 'an ISO 4217 currency code'),
  }),
  z.object({ kind: z.literal('overage_at_least_percent'), percent: z.string().regex(/^\d{1,6}(\.\d{1,6})?$/, 'a decimal percentage, e.g. "20"') }),
]);

/**
 * Body of `PUT /api/customers/:customerId/approval-policy`: `{ steps }`, an ordered list (1–10) of
 * `{ approver: { kind: 'roles', roles: ['Sales', …] } | { kind: 'customer_csm' }, condition? }`
 * (Finance cannot be an approver), or `null` to go back to the policy of the customer's terms.
 */
export const putPolicySchema = z.object({
  steps: z.array(z.object({ approver: approverSchema, condition: conditionSchema.optional() })).min(1).max(10).nullable(),
});

const customerId = z.string().trim().min(1).max(200);

/** A policy as the API shows it. */
export interface PolicyView {
  customerId: string;
  /** `custom` (set through this API), `require_csm_approval` or `default` (from the customer's terms). */
  source: string;
  steps: (PolicyStep & { index: number; label: string })[];
  /** Whether custom steps override the terms. */
  custom: boolean;
  updatedAt: string | null;
  updatedBy: { userId: string; name: string } | null;
}

function view(record: PolicyRecord): PolicyView {
  return {
    customerId: record.customerId,
    source: record.effective.source,
    steps: record.effective.steps.map((step, index) => ({ index, label: stepLabel(step.approver), ...step })),
    custom: record.custom !== null,
    updatedAt: record.updatedAt,
    updatedBy: record.updatedBy,
  };
}

/** Approval policies per customer (issue 6): Admin and Finance manage them; every role may read them. */
@Controller('api/customers/:customerId/approval-policy')
export class PolicyController {
  constructor(@Inject(ApprovalsService) private readonly approvals: ApprovalsService) {}

  /**
   * `GET`: the customer's policy in force ({@link PolicyView}): custom steps, or the one of its terms
   * (`require_csm_approval`: CSM then Sales; otherwise one step "Sales or Customer Success").
   * 404 `approval.customer_not_found` for a customer the service never heard of and without custom steps.
   */
  @Roles('Finance', 'CustomerSuccess', 'Sales', 'Admin')
  @Get()
  async get(@Param('customerId', { schema: customerId }) id: string): Promise<PolicyView> {
    const record = await this.approvals.policy(id);
    if (record.custom === null && (await this.approvals.customer(id)) === undefined) throw new CustomerNotFoundError(id);
    return view(record);
  }

  /**
   * `PUT` `{ steps }`: replaces the customer's custom steps (or clears them with `steps: null`). Applies
   * to bills submitted from now on; open processes keep their snapshot. 200 with the policy in force.
   * Errors: 400 `request.invalid` naming the field; 404 `approval.customer_not_found`.
   */
  @Roles('Admin', 'Finance')
  @Put()
  async put(
    @Param('customerId', { schema: customerId }) id: string,
    @Body({ schema: putPolicySchema }) body: z.output<typeof putPolicySchema>,
    @CurrentUser() user: Principal,
  ): Promise<PolicyView> {
    return view(await this.approvals.setPolicy(id, body.steps as PolicyStep[] | null, { userId: user.userId, role: user.role, name: user.name }));
  }
}
