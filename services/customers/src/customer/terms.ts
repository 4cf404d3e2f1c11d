import type { FieldError } from '@billing/platform';
import { InvalidDecimalError, parseCurrency, parseDecimal, UnknownCurrencyError } from '@billing/money';

/**
 * A customer's contract terms as the customers service stores them (plain JSON in events and read
 * models): the integration contract is `customers.v1.ContractTerms`.
 */
export interface ContractTerms {
  /** API calls included every calendar month (a non-negative safe integer). */
  monthlyApiLimit: number;
  /** Price of one API call above the limit, canonical decimal string in `currency` major units (e.g. `0.0015`). */
  overageUnitPrice: string;
  /** ISO 4217 code (validated by `@billing/money`'s `parseCurrency`). */
  currency: string;
  /** First day of the contract, `yyyy-mm-dd` (UTC calendar). */
  startDate: string;
  /** Last day of the contract, `yyyy-mm-dd`; `null` when open-ended. */
  endDate: string | null;
  /** Whether each bill needs the customer's CSM approval first. */
  requireCsmApproval: boolean;
  /** Calendar months from the start during which overage is not billed (BillProcess's "first three months"; default 3). */
  overageGraceMonths: number;
}

/** Default of {@link ContractTerms.overageGraceMonths}: the original BillProcess app exempted the first three months. */
export const DEFAULT_OVERAGE_GRACE_MONTHS = 3;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * Parses a calendar date written `yyyy-mm-dd` or, as the original BillProcess seed did, `M/D/YYYY`
 * (e.g. `5/1/2017`), and returns it as `yyyy-mm-dd`; `undefined` when malformed or not a real date.
 */
export function parseCalendarDate(value: string): string | undefined {
  let y: number, m: number, d: number;
  const iso = ISO_DATE.exec(value);
  const us = US_DATE.exec(value);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (us) [y, m, d] = [Number(us[3]), Number(us[1]), Number(us[2])];
  else return undefined;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return date.toISOString().slice(0, 10);
}

/** Whether `value` is a billing period `yyyy-mm`. */
export function isPeriod(value: string): boolean {
  return PERIOD.test(value);
}

/** The period (`yyyy-mm`) a date or instant (`yyyy-mm-dd…`) falls in. */
export function periodOf(date: string): string {
  return date.slice(0, 7);
}

/** First day of a period: `2017-05` → `2017-05-01`. */
export function firstDayOf(period: string): string {
  return `${period}-01`;
}

/** Last day of a period: `2017-02` → `2017-02-28`. */
export function lastDayOf(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** Number of days of a period (28–31). */
export function daysIn(period: string): number {
  return Number(lastDayOf(period).slice(8, 10));
}

/** The period after `period`. */
export function nextPeriod(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
}

/** Whether the contract covers at least one day of `period`. */
export function contractCoversPeriod(terms: Pick<ContractTerms, 'startDate' | 'endDate'>, period: string): boolean {
  return terms.startDate <= lastDayOf(period) && (terms.endDate === null || terms.endDate >= firstDayOf(period));
}

/** Whether the contract covers the calendar day `date` (`yyyy-mm-dd`). */
export function contractCoversDate(terms: Pick<ContractTerms, 'startDate' | 'endDate'>, date: string): boolean {
  return terms.startDate <= date && (terms.endDate === null || terms.endDate >= date);
}

/** Raw contract terms as an API body or a CSV row gives them (strings, numbers or booleans). */
export interface ContractTermsInput {
  monthlyApiLimit?: unknown;
  overageUnitPrice?: unknown;
  currency?: unknown;
  startDate?: unknown;
  endDate?: unknown;
  requireCsmApproval?: unknown;
  overageGraceMonths?: unknown;
}

/** The outcome of {@link parseContractTerms}: the terms, or every invalid field. */
export type TermsParse = { ok: true; terms: ContractTerms } | { ok: false; errors: FieldError[] };

function parseCount(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d+$/.test(value.trim()) && Number.isSafeInteger(Number(value))) return Number(value);
  return undefined;
}

function parseBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  return undefined;
}

/**
 * Validates contract terms (API and CSV share it), naming each bad field as `<prefix><field>`:
 * - `monthlyApiLimit`: a non-negative integer, as a number or an integer string;
 * - `overageUnitPrice`: a non-negative decimal string (`@billing/money` `parseDecimal`, ≤ 12 fraction digits);
 * - `currency`: an ISO 4217 code (`parseCurrency`);
 * - `startDate` (required) and `endDate` (optional; empty/null = open-ended): `yyyy-mm-dd` or `M/D/YYYY`;
 *   a start after the end is reported on `startDate`;
 * - `requireCsmApproval`: boolean or `true`/`false` (default false);
 * - `overageGraceMonths`: integer 0–120 (default {@link DEFAULT_OVERAGE_GRACE_MONTHS}).
 */
export function parseContractTerms(input: ContractTermsInput, prefix = ''): TermsParse {
  const errors: FieldError[] = [];
  const fail = (field: string, message: string) => errors.push({ field: `${prefix}${field}`, message });

  const monthlyApiLimit = parseCount(input.monthlyApiLimit);
  if (monthlyApiLimit === undefined) fail('monthlyApiLimit', 'must be a non-negative integer (number or integer string)');

  let overageUnitPrice = '';
  try {
    overageUnitPrice = parseDecimal(typeof input.overageUnitPrice === 'number' ? undefined : input.overageUnitPrice, { field: 'overageUnitPrice' });
  } catch (error) {
    if (!(error instanceof InvalidDecimalError)) throw error;
    fail('overageUnitPrice', 'must be a non-negative decimal string such as "0.0015"');
  }

  let currency = '';
  try {
    currency = parseCurrency(input.currency);
  } catch (error) {
    if (!(error instanceof UnknownCurrencyError)) throw error;
    fail('currency', `must be an ISO 4217 currency code such as USD or EUR, got ${JSON.stringify(input.currency ?? null)}`);
  }

  const startDate = typeof input.startDate === 'string' ? parseCalendarDate(input.startDate.trim()) : undefined;
  if (!startDate) fail('startDate', 'must be a date yyyy-mm-dd (or M/D/YYYY)');
  let endDate: string | null = null;
  if (input.endDate !== undefined && input.endDate !== null && input.endDate !== '') {
    const parsed = typeof input.endDate === 'string' ? parseCalendarDate(input.endDate.trim()) : undefined;
    if (!parsed) fail('endDate', 'must be a date yyyy-mm-dd (or M/D/YYYY), or empty for an open-ended contract');
    else endDate = parsed;
  }
  if (startDate && endDate && startDate > endDate) fail('startDate', `must not be after endDate (${startDate} > ${endDate})`);

  let requireCsmApproval = false;
  if (input.requireCsmApproval !== undefined && input.requireCsmApproval !== '') {
    const parsed = parseBoolean(input.requireCsmApproval);
    if (parsed === undefined) fail('requireCsmApproval', 'must be true or false');
    else requireCsmApproval = parsed;
  }

  let overageGraceMonths = DEFAULT_OVERAGE_GRACE_MONTHS;
  if (input.overageGraceMonths !== undefined && input.overageGraceMonths !== '') {
    const parsed = parseCount(input.overageGraceMonths);
    if (parsed === undefined || parsed > 120) fail('overageGraceMonths', 'must be an integer from 0 to 120');
    else overageGraceMonths = parsed;
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    terms: { monthlyApiLimit: monthlyApiLimit!, overageUnitPrice, currency, startDate: startDate!, endDate, requireCsmApproval, overageGraceMonths },
  };
}

/** Whether two terms are the same. */
export function sameTerms(a: ContractTerms, b: ContractTerms): boolean {
  return (
    a.monthlyApiLimit === b.monthlyApiLimit &&
    a.overageUnitPrice === b.overageUnitPrice &&
    a.currency === b.currency &&
    a.startDate === b.startDate &&
    a.endDate === b.endDate &&
    a.requireCsmApproval === b.requireCsmApproval &&
    a.overageGraceMonths === b.overageGraceMonths
  );
}
