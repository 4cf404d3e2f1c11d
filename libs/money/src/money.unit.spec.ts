import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  addMoney,
  CurrencyMismatchError,
  formatMinor,
  InvalidDecimalError,
  isCurrency,
  lineAmount,
  minorUnitDigits,
  parseDecimal,
  roundToMinor,
  toMinor,
  UnknownCurrencyError,
} from './money.js';

describe('currencies', () => {
  it('knows ISO 4217 codes and their minor units', () => {
    expect([isCurrency('USD'), isCurrency('EUR'), isCurrency('usd'), isCurrency('XYZ'), isCurrency(12)]).toEqual([true, true, false, false, false]);
    expect(['USD', 'JPY', 'KWD', 'RUB'].map(minorUnitDigits)).toEqual([2, 0, 3, 2]);
    expect(() => minorUnitDigits('ABC')).toThrow(UnknownCurrencyError);
  });
});

describe('parseDecimal', () => {
  it('canonicalises decimal strings and refuses floats, exponents and negatives', () => {
    expect(parseDecimal('0.0015')).toBe('0.0015');
    expect(parseDecimal('0.10')).toBe('0.1');
    for (const bad of [0.1, '1e-3', '+1', ' 1', '1,5', '', '.5', '01']) expect(() => parseDecimal(bad, { field: 'unitPrice' })).toThrow(InvalidDecimalError);
    expect(() => parseDecimal('-1', { field: 'unitPrice' })).toThrow('unitPrice must be zero or more, got "-1"');
    expect(parseDecimal('-1', { allowNegative: true })).toBe('-1');
    expect(() => parseDecimal('0', { allowZero: false })).toThrow('more than zero');
  });
});

describe('the rounding rule (half-even, once)', () => {
  it('rounds ties to even minor units', () => {
    expect(roundToMinor('22.125', 'USD')).toBe(2212n);
    expect(roundToMinor('22.135', 'USD')).toBe(2214n);
    expect(roundToMinor('-0.005', 'USD')).toBe(0n);
    expect(roundToMinor('0.5', 'JPY')).toBe(0n);
    expect(roundToMinor('1.5', 'JPY')).toBe(2n);
  });

  it('multiplies exactly before rounding once (BillProcess: 220000 × 0.01 = 2200.00; per-call prices)', () => {
    expect(lineAmount(220000n, '0.01', 'USD')).toEqual({ amountMinor: 220000n, currency: 'USD' });
    expect(lineAmount(350000n, '0.1', 'USD').amountMinor).toBe(3500000n);
    expect(lineAmount(1n, '0.0015', 'USD').amountMinor).toBe(0n);
    expect(lineAmount(3n, '0.0015', 'USD').amountMinor).toBe(0n); // 0.0045 → 0.00
    expect(lineAmount(7n, '0.0015', 'USD').amountMinor).toBe(1n); // 0.0105 → 0.01
    expect(lineAmount(10n, '0.0025', 'USD').amountMinor).toBe(2n); // 0.025 → 0.02 (tie to even)
  });

  it('equals the exact product rounded half-even for any quantity and price (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 0, max: 10 ** 6 }), (quantity, priceMicros) => {
        // price = priceMicros / 10^6; exact amount in cents = quantity × priceMicros / 10^4.
        const price = (priceMicros / 1e6).toFixed(6);
        const numerator = quantity * BigInt(priceMicros);
        const quotient = numerator / 10_000n;
        const remainder = numerator % 10_000n;
        const expected = remainder > 5_000n || (remainder === 5_000n && quotient % 2n === 1n) ? quotient + 1n : quotient;
        expect(lineAmount(quantity, price, 'USD').amountMinor).toBe(expected);
      }),
    );
  });
});

describe('conversions', () => {
  it('converts exact major amounts and formats minor units', () => {
    expect(toMinor('2200.00', 'USD')).toBe(220000n);
    expect(() => toMinor('1.005', 'USD')).toThrow('at most 2 fraction digits in USD');
    expect(formatMinor(220000n, 'USD')).toBe('2200.00');
    expect(formatMinor(-5n, 'USD')).toBe('-0.05');
    expect(formatMinor(1234n, 'JPY')).toBe('1234');
    expect(() => addMoney({ amountMinor: 1n, currency: 'USD' }, { amountMinor: 1n, currency: 'EUR' })).toThrow(CurrencyMismatchError);
  });
});
