import { lineAmount } from '@billing/money';

/**
 * Contract terms as billing keeps them (from `customers.v1.ContractTerms`), JSON-safe: counts as decimal
 * strings, dates `yyyy-mm-dd`, plus the first day they apply (`effectiveFrom`).
 */
export interface TermsJson {
  /** API calls included every month, decimal string. */
  monthlyApiLimit: string;
  /** Price of one API call above the limit, decimal string in `currency` major units. */
  overageUnitPrice: string;
  /** ISO 4217 code. */
  currency: string;
  /** First day of the contract, `yyyy-mm-dd`. */
  startDate: string;
  /** Last day of the contract, `yyyy-mm-dd`, or null when open-ended. */
  endDate: string | null;
  requireCsmApproval: boolean;
  /** Calendar months from the start month during which no overage is billed. */
  overageGraceMonths: number;
  /** First day these terms apply, `yyyy-mm-dd` (the start date for the terms a customer registered with). */
  effectiveFrom: string;
}

/** Why no bill is generated for a customer-month (bill runs count skips by these reasons). */
export type SkipReason = 'contract_inactive' | 'grace_period' | 'zero_amount';

/** What the generation rule gives for a customer-month. */
export type GenerationOutcome =
  | {
      kind: 'bill';
      usageApiCalls: bigint;
      includedApiCalls: bigint;
      overageUnits: bigint;
      unitPrice: string;
      currency: string;
      amountMinor: bigint;
    }
  | { kind: 'skip'; reason: SkipReason };

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Whether `value` is a billing period `yyyy-mm`. */
export function isPeriod(value: string): boolean {
  return PERIOD.test(value);
}

/** Months since year 0 of a `yyyy-mm` period (or the month of a `yyyy-mm-dd` date / ISO instant): 2017-02 → 24193. */
export function monthIndex(periodOrDate: string): number {
  const year = Number(periodOrDate.slice(0, 4));
  const month = Number(periodOrDate.slice(5, 7));
  return year * 12 + (month - 1);
}

/** Whether the month `period` has not ended at instant `at` (ISO 8601, UTC): the current month and later ones. */
export function isPeriodInFuture(period: string, at: string): boolean {
  return monthIndex(period) >= monthIndex(new Date(at).toISOString());
}

/**
 * The terms in force for `period`: the latest entry whose `effectiveFrom` month is not after the period;
 * the earliest one when the period precedes them all (the rule then finds the contract inactive).
 * @param history at least one entry, in any order.
 */
export function termsInForce(history: readonly TermsJson[], period: string): TermsJson {
  const sorted = [...history].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  const target = monthIndex(period);
  let chosen = sorted[0]!;
  for (const terms of sorted) if (monthIndex(terms.effectiveFrom) <= target) chosen = terms;
  return chosen;
}

/**
 * THE generation rule of a monthly overage bill (issue 5; BillProcess `seed/bill-process/README.md`):
 * - no bill before the contract's start month or after its end month (`contract_inactive`);
 * - none in the first `overageGraceMonths` calendar months counted from the start month (start 2017-02
 *   with 3 grace months: Feb, Mar, Apr exempt) (`grace_period`);
 * - overage units = max(0, usage − monthly limit); amount = `lineAmount(units, unit price, currency)`
 *   (exact product, rounded once half-even to the minor unit, `@billing/money`);
 * - no zero-amount bill unless `allowZero` (`zero_amount`).
 * Pure: no clock, no lookups.
 */
export function generateBill(input: { period: string; usageApiCalls: bigint; terms: TermsJson; allowZero: boolean }): GenerationOutcome {
  const { period, usageApiCalls, terms, allowZero } = input;
  const month = monthIndex(period);
  const start = monthIndex(terms.startDate);
  if (month < start) return { kind: 'skip', reason: 'contract_inactive' };
  if (terms.endDate !== null && month > monthIndex(terms.endDate)) return { kind: 'skip', reason: 'contract_inactive' };
  if (month - start < terms.overageGraceMonths) return { kind: 'skip', reason: 'grace_period' };
  const included = BigInt(terms.monthlyApiLimit);
  const overageUnits = usageApiCalls > included ? usageApiCalls - included : 0n;
  const amount = lineAmount(overageUnits, terms.overageUnitPrice, terms.currency);
  if (amount.amountMinor === 0n && !allowZero) return { kind: 'skip', reason: 'zero_amount' };
  return {
    kind: 'bill',
    usageApiCalls,
    includedApiCalls: included,
    overageUnits,
    unitPrice: terms.overageUnitPrice,
    currency: terms.currency,
    amountMinor: amount.amountMinor,
  };
}
