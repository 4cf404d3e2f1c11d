import type { Role } from '@billing/auth';
import { compareDecimal, multiplyDecimal } from '@billing/money';

/**
 * Who may approve one step of a policy: any holder of one of `roles`, or the billed customer's own
 * success manager (CSM).
 */
export type StepApprover = { kind: 'roles'; roles: Role[] } | { kind: 'customer_csm' };

/**
 * When a policy step applies (a step whose condition does not hold at submission is skipped):
 * - `amount_at_least`: the bill's amount ≥ `amountMinor` (integer minor units, decimal string) in
 *   `currency`. A bill in another currency cannot be compared, so the step applies (fail safe).
 * - `overage_at_least_percent`: overage units ≥ `percent` % (decimal string) of the included API calls.
 */
export type StepCondition =
  | { kind: 'amount_at_least'; amountMinor: string; currency: string }
  | { kind: 'overage_at_least_percent'; percent: string };

/** One step of a policy, as configured. */
export interface PolicyStep {
  approver: StepApprover;
  condition?: StepCondition;
}

/** Where a customer's effective policy comes from. */
export type PolicySource = 'default' | 'require_csm_approval' | 'custom';

/** A customer's effective approval policy: ordered steps. */
export interface ApprovalPolicy {
  source: PolicySource;
  steps: PolicyStep[];
}

/** The default policy (issue 6): one approval by Sales or Customer Success. */
export const DEFAULT_POLICY: ApprovalPolicy = Object.freeze({
  source: 'default',
  steps: [{ approver: { kind: 'roles', roles: ['Sales', 'CustomerSuccess'] } }],
}) as ApprovalPolicy;

/** The policy of a customer whose terms say `require_csm_approval` (issue 6): first the customer's CSM, then Sales. */
export const REQUIRE_CSM_POLICY: ApprovalPolicy = Object.freeze({
  source: 'require_csm_approval',
  steps: [{ approver: { kind: 'customer_csm' } }, { approver: { kind: 'roles', roles: ['Sales'] } }],
}) as ApprovalPolicy;

/**
 * The policy in force for a customer: its custom steps when an Admin or Finance user set some,
 * otherwise {@link REQUIRE_CSM_POLICY} when its terms require CSM approval, otherwise {@link DEFAULT_POLICY}.
 */
export function effectivePolicy(custom: PolicyStep[] | null, requireCsmApproval: boolean): ApprovalPolicy {
  if (custom !== null) return { source: 'custom', steps: custom };
  return requireCsmApproval ? REQUIRE_CSM_POLICY : DEFAULT_POLICY;
}

/** The facts of a submitted bill that step conditions look at (amounts in minor units, counts as decimal strings). */
export interface BillFacts {
  amount: { amountMinor: string; currency: string };
  overageUnits: string;
  includedApiCalls: string;
}

/**
 * Whether a step's condition holds for a bill (no condition: always).
 * Overage rule: `overageUnits × 100 ≥ percent × includedApiCalls`, exact decimals (so with no included
 * calls any overage, even zero, meets it).
 */
export function conditionHolds(condition: StepCondition | undefined, bill: BillFacts): boolean {
  if (condition === undefined) return true;
  switch (condition.kind) {
    case 'amount_at_least':
      if (condition.currency !== bill.amount.currency) return true;
      return compareDecimal(bill.amount.amountMinor, condition.amountMinor) >= 0;
    case 'overage_at_least_percent':
      return compareDecimal(multiplyDecimal(bill.overageUnits, '100'), multiplyDecimal(condition.percent, bill.includedApiCalls)) >= 0;
  }
}

/**
 * One step of an approval process, resolved when the bill was submitted and kept as a snapshot.
 * `csmUserId` is the customer's CSM at submission (`null` when none was known: then the CSM at the
 * time of approval is asked).
 */
export type ResolvedApprover = { kind: 'roles'; roles: Role[] } | { kind: 'customer_csm'; csmUserId: string | null };

/** A resolved step of a process. `index` counts the steps kept (skipped ones are not in the process). */
export interface ProcessStep {
  index: number;
  approver: ResolvedApprover;
  label: string;
  condition?: StepCondition;
}

/** Human label of a step, e.g. `Sales or Customer Success`, `Customer's CSM`. */
export function stepLabel(approver: StepApprover | ResolvedApprover): string {
  if (approver.kind === 'customer_csm') return "Customer's CSM";
  const labels: Record<Role, string> = { Finance: 'Finance', CustomerSuccess: 'Customer Success', Sales: 'Sales', Admin: 'Admin' };
  return approver.roles.map((role) => labels[role]).join(' or ');
}

/**
 * Resolves a policy for one submitted bill: keeps the steps whose condition holds, in order, numbers
 * them from 0, and resolves "the customer's CSM" to `csmUserId` (the customer's CSM now).
 */
export function resolveSteps(policy: ApprovalPolicy, bill: BillFacts, csmUserId: string | null): ProcessStep[] {
  const kept = policy.steps.filter((step) => conditionHolds(step.condition, bill));
  return kept.map((step, index) => {
    const approver: ResolvedApprover = step.approver.kind === 'customer_csm' ? { kind: 'customer_csm', csmUserId } : { kind: 'roles', roles: [...step.approver.roles] };
    return { index, approver, label: stepLabel(step.approver), ...(step.condition ? { condition: step.condition } : {}) };
  });
}
