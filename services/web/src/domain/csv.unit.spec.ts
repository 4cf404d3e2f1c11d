import { describe, expect, it } from '@jest/globals';
import type { BillSummary } from '../app/types';
import { BILL_CSV_COLUMNS, billsToCsv, csvField, fetchAllPages } from './csv';

const bill = (n: number, name: string): BillSummary => ({
  billId: `c${n}-2017-10`,
  customerId: `c${n}`,
  customerName: name,
  csmUserId: null,
  period: '2017-10',
  status: 'draft',
  amount: { amountMinor: '270000', currency: 'USD', amount: '2700.00' },
  unitPrice: '0.09',
  usageApiCalls: '230000',
  includedApiCalls: '200000',
  overageUnits: '30000',
  version: 1,
  updatedAt: null,
});

describe('CSV export', () => {
  it('quotes fields with commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
  });
  it('writes a header and one CRLF row per bill, money as given by the API', () => {
    const csv = billsToCsv([bill(2, 'Customer2'), bill(3, 'ACME, Inc.')]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(BILL_CSV_COLUMNS.join(','));
    expect(lines[1]).toBe('c2-2017-10,Customer2,2017-10,draft,230000,200000,30000,0.09,2700.00,270000,USD');
    expect(lines[2]).toContain('"ACME, Inc."');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
  });
  it('reads every page of a list until the total is reached', async () => {
    const all = Array.from({ length: 1203 }, (_, i) => i);
    const calls: [number, number][] = [];
    const items = await fetchAllPages(async (limit, offset) => {
      calls.push([limit, offset]);
      return { items: all.slice(offset, offset + limit), total: all.length };
    });
    expect(items).toEqual(all);
    expect(calls).toEqual([
      [500, 0],
      [500, 500],
      [500, 1000],
    ]);
  });
  it('stops on an empty page even when the total says more (rows deleted meanwhile)', async () => {
    const items = await fetchAllPages(async (_limit, offset) => ({ items: offset === 0 ? [1, 2] : [], total: 10 }), 2);
    expect(items).toEqual([1, 2]);
  });
});
