import { describe, expect, it } from '@jest/globals';
import { readCsv } from './csv.js';

describe('readCsv', () => {
  it('reads quoted fields and reports each malformed line alone, with its line number', () => {
    const text = ['a,b,c', '1,"x, y",3', '2,"unclosed,3', '3,"bad"x,3', '4,5', '', '5,"multi', 'line",6', '6,7,8'].join('\n');
    const file = readCsv(text, ['a', 'b', 'c']);
    expect(file.rows).toEqual([
      { line: 2, values: { a: '1', b: 'x, y', c: '3' } },
      { line: 7, values: { a: '5', b: 'multi\nline', c: '6' } },
      { line: 9, values: { a: '6', b: '7', c: '8' } },
    ]);
    expect(file.rejected.map((r) => [r.line, r.field])).toEqual([
      [3, 'csv'],
      [4, 'csv'],
      [5, 'csv'],
    ]);
  });

  it('rejects a file without the required columns', () => {
    expect(readCsv('x,y\n1,2', ['a']).rejected).toEqual([{ line: 1, field: 'csv', reason: 'missing column(s): a (expected a)' }]);
    expect(readCsv('', ['a']).rejected[0]!.line).toBe(1);
  });
});
