import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { generateBill, isPeriodInFuture, monthIndex, termsInForce, type TermsJson } from './bill.rules.js';

const terms: TermsJson = {
  monthlyApiLimit: '200000',
  overageUnitPrice: '0.09',
  currency: 'USD',
  startDate: '2017-02-01',
  endDate: '2017-11-30',
  requireCsmApproval: true,
  overageGraceMonths: 3,
  effectiveFrom: '2017-02-01',
};

describe('generation rule', () => {
  it('exempts the contract’s first 3 calendar months from its start month (Feb, Mar, Apr for a 2017-02 start)', () => {
    const outcome = (period: string) => generateBill({ period, usageApiCalls: 900000n, terms, allowZero: false });
    expect(['2017-01', '2017-02', '2017-03', '2017-04', '2017-05', '2017-11', '2017-12'].map((p) => { const o = outcome(p); return o.kind === 'skip' ? o.reason : 'bill'; })).toEqual([
      'contract_inactive',
      'grace_period',
      'grace_period',
      'grace_period',
      'bill',
      'bill',
      'contract_inactive',
    ]);
  });
  it('bills max(0, usage − included) × unit price, exact in cents', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), (usage) => {
        const o = generateBill({ period: '2017-06', usageApiCalls: usage, terms, allowZero: true });
        const units = usage > 200000n ? usage - 200000n : 0n;
        expect(o).toMatchObject({ kind: 'bill', overageUnits: units, amountMinor: units * 9n });
      }),
    );
  });
  it('chooses the terms in force for the month', () => {
    const later = { ...terms, overageUnitPrice: '0.05', effectiveFrom: '2017-07-01' };
    expect(termsInForce([later, terms], '2017-06').overageUnitPrice).toBe('0.09');
    expect(termsInForce([later, terms], '2017-07').overageUnitPrice).toBe('0.05');
    expect(termsInForce([later, terms], '2016-01').overageUnitPrice).toBe('0.09');
  });
  it('knows which months have not ended', () => {
    expect(isPeriodInFuture('2017-10', '2017-10-31T23:59:59Z')).toBe(true);
    expect(isPeriodInFuture('2017-10', '2017-11-01T00:00:00Z')).toBe(false);
    expect(monthIndex('2017-02') - monthIndex('2016-12')).toBe(2);
  });
});
