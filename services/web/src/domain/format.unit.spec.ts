import { describe, expect, it } from '@jest/globals';
import { formatCount, formatInstant, formatMoney, formatPeriod, groupThousands, minorToMajor } from './format';

describe('money and figures', () => {
  it('shows the API’s formatted amount with thousands separators and the currency', () => {
    expect(formatMoney({ amountMinor: '220000', currency: 'USD', amount: '2200.00' })).toBe('2,200.00 USD');
  });
  it('places minor units by the currency’s decimals without floats when no formatted amount is given', () => {
    expect(minorToMajor('220000', 'USD')).toBe('2200.00');
    expect(minorToMajor('5', 'USD')).toBe('0.05');
    expect(minorToMajor('-1234', 'EUR')).toBe('-12.34');
    expect(minorToMajor('1500', 'JPY')).toBe('1500');
    expect(minorToMajor('90071992547409930001', 'USD')).toBe('900719925474099300.01');
    expect(formatMoney({ amountMinor: '123456789', currency: 'USD' })).toBe('1,234,567.89 USD');
    expect(formatMoney(undefined)).toBe('—');
  });
  it('groups thousands of counts and decimal strings', () => {
    expect(groupThousands('-1234567.5')).toBe('-1,234,567.5');
    expect(formatCount('230000')).toBe('230,000');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(null)).toBe('—');
  });
});

describe('time and periods', () => {
  it('shows instants in UTC to the minute', () => {
    expect(formatInstant('2017-11-01T23:59:30.000+02:00')).toBe('2017-11-01 21:59 UTC');
    expect(formatInstant('not a date')).toBe('not a date');
    expect(formatInstant(null)).toBe('—');
  });
  it('names periods', () => {
    expect(formatPeriod('2017-10')).toBe('October 2017');
    expect(formatPeriod('2017')).toBe('2017');
  });
});
