import { describe, expect, it } from '@jest/globals';
import { contractCoversPeriod, lastDayOf, parseCalendarDate, parseContractTerms } from './terms.js';

describe('contract terms', () => {
  const valid = { monthlyApiLimit: '100000', overageUnitPrice: '0.10', currency: 'USD', startDate: '5/1/2017', endDate: '', requireCsmApproval: 'true' };

  it('parses CSV-style values: integer string, decimal string, M/D/YYYY, empty end = open-ended, default grace 3', () => {
    expect(parseContractTerms(valid)).toEqual({
      ok: true,
      terms: { monthlyApiLimit: 100000, overageUnitPrice: '0.1', currency: 'USD', startDate: '2017-05-01', endDate: null, requireCsmApproval: true, overageGraceMonths: 3 },
    });
  });

  it.each([
    [{ currency: 'XXY' }, 'currency'],
    [{ currency: 'usd' }, 'currency'],
    [{ overageUnitPrice: '-0.1' }, 'overageUnitPrice'],
    [{ overageUnitPrice: 0.1 }, 'overageUnitPrice'],
    [{ overageUnitPrice: '1e-3' }, 'overageUnitPrice'],
    [{ monthlyApiLimit: '-5' }, 'monthlyApiLimit'],
    [{ monthlyApiLimit: '1.5' }, 'monthlyApiLimit'],
    [{ startDate: '2017-02-30' }, 'startDate'],
    [{ startDate: '2017-06-01', endDate: '2017-05-31' }, 'startDate'],
    [{ endDate: 'soon' }, 'endDate'],
    [{ requireCsmApproval: 'yes' }, 'requireCsmApproval'],
    [{ overageGraceMonths: '-1' }, 'overageGraceMonths'],
  ])('rejects %j naming %s', (change, field) => {
    const result = parseContractTerms({ ...valid, ...change }, 'terms.');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => e.field)).toEqual([`terms.${field}`]);
  });

  it('reads calendar dates and month bounds', () => {
    expect(parseCalendarDate('12/1/2017')).toBe('2017-12-01');
    expect(parseCalendarDate('2017-13-01')).toBeUndefined();
    expect(lastDayOf('2016-02')).toBe('2016-02-29');
    expect(contractCoversPeriod({ startDate: '2017-05-15', endDate: '2017-06-01' }, '2017-05')).toBe(true);
    expect(contractCoversPeriod({ startDate: '2017-05-15', endDate: '2017-06-01' }, '2017-07')).toBe(false);
    expect(contractCoversPeriod({ startDate: '2017-05-15', endDate: null }, '2017-04')).toBe(false);
  });
});
