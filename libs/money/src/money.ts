import Big from 'big.js';

/**
 * The platform's money rules (design §6), in one place:
 * - amounts are integer minor units (`bigint`) plus an ISO 4217 currency;
 * - prices and quantities are decimal strings (`0.0015`), never JavaScript floats;
 * - a line amount is the EXACT product of quantity and unit price, rounded ONCE, half-even (banker's
 *   rounding), to the currency's minor unit ({@link roundToMinor}: the only rounding in the platform).
 */

/** Rounding mode of big.js: 2 = ROUND_HALF_EVEN. */
const HALF_EVEN = 2;

/** A decimal as the platform writes it: optional minus, digits, optional fraction. No exponent, no `+`, no spaces. */
const DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?$/;

/** Thrown for a malformed or out-of-range decimal string; `field` names the input. */
export class InvalidDecimalError extends Error {
  readonly code = 'money.invalid_decimal';
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field} must be ${reason}, got ${JSON.stringify(value)}`);
    this.name = 'InvalidDecimalError';
  }
}

/** Thrown for a currency code that is not an active ISO 4217 code. */
export class UnknownCurrencyError extends Error {
  readonly code = 'money.unknown_currency';
  constructor(
    readonly field: string,
    readonly value: unknown,
  ) {
    super(`${field} must be an ISO 4217 currency code such as USD or EUR, got ${JSON.stringify(value)}`);
    this.name = 'UnknownCurrencyError';
  }
}

/** Thrown when amounts of different currencies are combined. */
export class CurrencyMismatchError extends Error {
  readonly code = 'money.currency_mismatch';
  constructor(a: string, b: string) {
    super(`cannot combine ${a} and ${b} amounts`);
    this.name = 'CurrencyMismatchError';
  }
}

let currencies: ReadonlySet<string> | undefined;

/** Whether `code` is an ISO 4217 currency code known to this runtime's ICU data (e.g. `USD`, `EUR`, `JPY`, `KWD`). */
export function isCurrency(code: unknown): code is string {
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  return typeof code === 'string' && /^[A-Z]{3}$/.test(code) && currencies.has(code);
}

/**
 * Digits of the currency's minor unit (ISO 4217 / CLDR): USD 2, JPY 0, KWD 3.
 * @throws UnknownCurrencyError
 */
export function minorUnitDigits(currency: string): number {
  if (!isCurrency(currency)) throw new UnknownCurrencyError('currency', currency);
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * Validates an ISO 4217 code and returns it.
 * @throws UnknownCurrencyError naming `field`.
 */
export function parseCurrency(value: unknown, field = 'currency'): string {
  if (!isCurrency(value)) throw new UnknownCurrencyError(field, value);
  return value;
}

/** Options of {@link parseDecimal}. */
export interface DecimalOptions {
  /** Name of the input, for the error message (default `value`). */
  field?: string;
  /** Accept values below zero (default false). */
  allowNegative?: boolean;
  /** Accept zero (default true). */
  allowZero?: boolean;
  /** Most fraction digits accepted (default 12). */
  maxScale?: number;
}

/**
 * Validates a decimal string (`"0.0015"`, `"12"`, `"-3.5"`) and returns its canonical form (no
 * trailing fraction zeros, `"0.10"` → `"0.1"`). Numbers are refused: a float may already have lost
 * digits.
 * @throws InvalidDecimalError naming `field`: not a string, malformed (exponent, `+`, spaces, comma),
 *   negative or zero when not allowed, or too many fraction digits.
 */
export function parseDecimal(value: unknown, options: DecimalOptions = {}): string {
  const field = options.field ?? 'value';
  if (typeof value !== 'string' || !DECIMAL.test(value)) throw new InvalidDecimalError(field, value, 'a decimal string such as "0.0015"');
  const scale = value.split('.')[1]?.length ?? 0;
  const maxScale = options.maxScale ?? 12;
  if (scale > maxScale) throw new InvalidDecimalError(field, value, `a decimal with at most ${maxScale} fraction digits`);
  const big = new Big(value);
  if (big.lt(0) && !options.allowNegative) throw new InvalidDecimalError(field, value, 'zero or more');
  if (big.eq(0) && options.allowZero === false) throw new InvalidDecimalError(field, value, 'more than zero');
  return big.toFixed();
}

/** An amount of money: integer minor units (cents for USD) and an ISO 4217 currency. */
export interface Money {
  amountMinor: bigint;
  currency: string;
}

/** {@link Money} as JSON carries it: minor units as a decimal string (JSON has no 64-bit integers). */
export interface MoneyJson {
  amountMinor: string;
  currency: string;
}

/**
 * THE rounding rule: an exact decimal amount in major units (e.g. `"22.125"` USD) to integer minor
 * units, half-even (`22.125` → 2212, `22.135` → 2214).
 * @throws InvalidDecimalError for a malformed amount; UnknownCurrencyError.
 */
export function roundToMinor(amountMajor: string, currency: string): bigint {
  const digits = minorUnitDigits(currency);
  const exact = new Big(parseDecimal(amountMajor, { field: 'amount', allowNegative: true, maxScale: 40 }));
  return BigInt(exact.times(new Big(10).pow(digits)).round(0, HALF_EVEN).toFixed(0));
}

/**
 * The amount of a bill line: `quantity × unitPrice`, exact, then rounded once with {@link roundToMinor}.
 * E.g. 220000 units × `"0.01"` USD = 220000 cents (2,200.00 USD); 1 unit × `"0.0015"` USD = 0 cents.
 * @param quantity a non-negative integer (`bigint`, or a decimal string for fractional quantities).
 * @param unitPrice a decimal string, may be negative for discounts.
 * @throws InvalidDecimalError; UnknownCurrencyError.
 */
export function lineAmount(quantity: bigint | string, unitPrice: string, currency: string): Money {
  const q = new Big(typeof quantity === 'bigint' ? quantity.toString() : parseDecimal(quantity, { field: 'quantity', maxScale: 12 }));
  const price = new Big(parseDecimal(unitPrice, { field: 'unitPrice', allowNegative: true }));
  return { amountMinor: roundToMinor(q.times(price).toFixed(), currency), currency };
}

/**
 * A major-unit amount that must already be exact in minor units (`"2200.00"` USD → 220000n).
 * @throws InvalidDecimalError when it has more fraction digits than the currency's minor unit.
 */
export function toMinor(amountMajor: string, currency: string, field = 'amount'): bigint {
  const digits = minorUnitDigits(currency);
  const canonical = parseDecimal(amountMajor, { field, allowNegative: true, maxScale: 40 });
  if ((canonical.split('.')[1]?.length ?? 0) > digits) {
    throw new InvalidDecimalError(field, amountMajor, `an amount with at most ${digits} fraction digits in ${currency}`);
  }
  return BigInt(new Big(canonical).times(new Big(10).pow(digits)).toFixed(0));
}

/** Minor units as a major-unit decimal string with the currency's digits: 220000n USD → `"2200.00"`, -5n → `"-0.05"`. */
export function formatMinor(amountMinor: bigint, currency: string): string {
  const digits = minorUnitDigits(currency);
  return new Big(amountMinor.toString()).div(new Big(10).pow(digits)).toFixed(digits);
}

/** Sum of amounts of one currency. @throws CurrencyMismatchError */
export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new CurrencyMismatchError(a.currency, b.currency);
  return { amountMinor: a.amountMinor + b.amountMinor, currency: a.currency };
}

/** Zero in `currency`. */
export function zeroMoney(currency: string): Money {
  return { amountMinor: 0n, currency: parseCurrency(currency) };
}

/** To JSON ({@link MoneyJson}). */
export function moneyToJson(money: Money): MoneyJson {
  return { amountMinor: money.amountMinor.toString(), currency: money.currency };
}

/** From JSON ({@link MoneyJson}). @throws InvalidDecimalError for a non-integer amount; UnknownCurrencyError. */
export function moneyFromJson(json: MoneyJson): Money {
  if (!/^-?\d+$/.test(json.amountMinor)) throw new InvalidDecimalError('amountMinor', json.amountMinor, 'an integer number of minor units');
  return { amountMinor: BigInt(json.amountMinor), currency: parseCurrency(json.currency) };
}

/** Compares two decimal strings: -1, 0 or 1. */
export function compareDecimal(a: string, b: string): -1 | 0 | 1 {
  return new Big(a).cmp(new Big(b)) as -1 | 0 | 1;
}

/** Exact product of decimal strings, as a canonical decimal string (no rounding). */
export function multiplyDecimal(a: string, b: string): string {
  return new Big(a).times(new Big(b)).toFixed();
}
