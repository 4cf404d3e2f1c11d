import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { parseCsv, readUsersCsv } from './users-csv.js';

const seedCsv = readFileSync(fileURLToPath(new URL('../../../../../seed/bill-process/users.csv', import.meta.url)), 'utf8');

describe('users CSV', () => {
  it('reads the BillProcess users.csv: 5 users, the empty-role row (line 7) rejected with its reason, CustomerSuccess mapped', () => {
    const { rows, rejected } = readUsersCsv(seedCsv);
    expect(rows.map((row) => [row.line, row.name, row.email, row.role])).toEqual([
      [2, 'User1', null, 'Sales'],
      [3, 'User2', null, 'Finance'],
      [4, 'User3', null, 'CustomerSuccess'],
      [5, 'User4', null, 'CustomerSuccess'],
      [6, 'email.anastassia@gmail.com', 'email.anastassia@gmail.com', 'Finance'],
    ]);
    expect(rejected).toEqual([{ line: 7, reason: 'role is empty (expected Finance, CustomerSuccess, Sales or Admin)' }]);
  });

  it('parses quotes, escaped quotes, CRLF and multi-line fields, keeping each record’s first line number', () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\r\n\r\n"multi\nline",z\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 4, fields: ['multi\nline', 'z'] },
    ]);
    expect(() => parseCsv('a\n"open')).toThrow('line 2: unterminated quoted field');
  });

  it('rejects empty names, bad e-mails, unknown roles and names repeated in the file; accepts role labels', () => {
    const { rows, rejected } = readUsersCsv('role,name,email\nCustomer Success,Zoe,\nBoss,Max,\nSales,,\nSales,Eve,not-an-email\nsales,zoe,\n');
    expect(rows).toEqual([{ line: 2, name: 'Zoe', email: null, role: 'CustomerSuccess' }]);
    expect(rejected).toEqual([
      { line: 3, reason: 'role "Boss" is not one of Finance, CustomerSuccess, Sales, Admin' },
      { line: 4, reason: 'name is empty' },
      { line: 5, reason: 'email "not-an-email" is not an e-mail address' },
      { line: 6, reason: 'name "zoe" appears earlier in the file' },
    ]);
  });

  it('rejects a file without the needed header', () => {
    expect(readUsersCsv('who,what\nx,y\n')).toEqual({ rows: [], rejected: [{ line: 1, reason: 'the header must name the columns name, email and role' }] });
  });
});
