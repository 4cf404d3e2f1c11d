import { describe, expect, it } from '@jest/globals';
import { conditionHolds, DEFAULT_POLICY, effectivePolicy, REQUIRE_CSM_POLICY, resolveSteps, type BillFacts } from './policy.js';

const bill: BillFacts = { amount: { amountMinor: '220000', currency: 'USD' }, overageUnits: '220000', includedApiCalls: '1000000' };

describe('approval policies', () => {
  it('takes custom steps first, then require_csm_approval (CSM then Sales), then the default (Sales or Customer Success)', () => {
    const custom = [{ approver: { kind: 'roles' as const, roles: ['Admin' as const] } }];
    expect(effectivePolicy(custom, true)).toEqual({ source: 'custom', steps: custom });
    expect(effectivePolicy(null, true)).toBe(REQUIRE_CSM_POLICY);
    expect(effectivePolicy(null, false)).toBe(DEFAULT_POLICY);
  });

  it('amount condition: holds from the threshold on (minor units), and always for another currency', () => {
    expect(conditionHolds({ kind: 'amount_at_least', amountMinor: '220000', currency: 'USD' }, bill)).toBe(true);
    expect(conditionHolds({ kind: 'amount_at_least', amountMinor: '220001', currency: 'USD' }, bill)).toBe(false);
    expect(conditionHolds({ kind: 'amount_at_least', amountMinor: '99999999', currency: 'EUR' }, bill)).toBe(true);
  });

  it('overage condition: overage units ≥ N % of the included calls, exactly (decimal percentages too)', () => {
    expect(conditionHolds({ kind: 'overage_at_least_percent', percent: '22' }, bill)).toBe(true);
    expect(conditionHolds({ kind: 'overage_at_least_percent', percent: '22.0001' }, bill)).toBe(false);
    expect(conditionHolds({ kind: 'overage_at_least_percent', percent: '10' }, { ...bill, overageUnits: '0', includedApiCalls: '0' })).toBe(true);
  });

  it('resolves the CSM step to the customer’s CSM and numbers the kept steps from 0', () => {
    expect(resolveSteps(REQUIRE_CSM_POLICY, bill, 'user-3')).toEqual([
      { index: 0, approver: { kind: 'customer_csm', csmUserId: 'user-3' }, label: "Customer's CSM" },
      { index: 1, approver: { kind: 'roles', roles: ['Sales'] }, label: 'Sales' },
    ]);
    const policy = { source: 'custom' as const, steps: [{ approver: { kind: 'customer_csm' as const }, condition: { kind: 'amount_at_least' as const, amountMinor: '1', currency: 'EUR' } }] };
    expect(resolveSteps({ ...policy, steps: [{ ...policy.steps[0]!, condition: { kind: 'overage_at_least_percent', percent: '50' } }, ...DEFAULT_POLICY.steps] }, bill, null)).toEqual([
      { index: 0, approver: { kind: 'roles', roles: ['Sales', 'CustomerSuccess'] }, label: 'Sales or Customer Success' },
    ]);
  });
});
