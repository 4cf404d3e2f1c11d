import { isRole, type Role } from '@billing/auth';

/** One row of a users CSV, with the line it came from (1-based; the header is line 1). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Splits CSV text (RFC 4180: `,` separators, `"` quoting with `""` escapes, CRLF or LF line ends)
 * into records, each with the line number it starts on. Blank lines are skipped.
 * @throws Error on an unterminated quoted field.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let fieldStarted = false;
  const endRecord = (): void => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '' && !fieldStarted)) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  const input = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < input.length; i++) {
    const char = input[i]!;
    if (quoted) {
      if (char === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (char === '\n') line++;
        field += char;
      }
      continue;
    }
    if (char === '"') {
      quoted = true;
      fieldStarted = true;
    } else if (char === ',') {
      fields.push(field);
      field = '';
      fieldStarted = true;
    } else if (char === '\r' && input[i + 1] === '\n') {
      continue;
    } else if (char === '\n') {
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += char;
      fieldStarted = true;
    }
  }
  if (quoted) throw new Error(`line ${recordLine}: unterminated quoted field`);
  if (field !== '' || fields.length > 0 || fieldStarted) endRecord();
  return records;
}

/** A valid user row of the import. */
export interface UserImportRow {
  line: number;
  name: string;
  email: string | null;
  role: Role;
}

/** A row the import refuses, with why. */
export interface RejectedRow {
  line: number;
  reason: string;
}

/** Role spellings accepted in the `role` column: the codes, the labels (`Customer Success`), any case. */
function roleOf(raw: string): Role | undefined {
  const compact = raw.replace(/[\s_-]+/g, '').toLowerCase();
  const found = ['Finance', 'CustomerSuccess', 'Sales', 'Admin'].find((role) => role.toLowerCase() === compact);
  return isRole(found) ? found : undefined;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Reads a users CSV (`name,email,role` header, as `seed/bill-process/users.csv`) into valid rows and
 * rejected ones. Rules: a name is required (at most 200 characters); an e-mail, when present, must look
 * like one; the role is required and must be a role (`CustomerSuccess` and `Customer Success` both
 * map to `CustomerSuccess`); a name repeated in the file (case-insensitive) is rejected after its
 * first row. The header must name the `name` and `role` columns (`email` optional), in any order.
 * @returns `{ rows, rejected }`, or a single rejection of line 1 when the header is unusable.
 */
export function readUsersCsv(text: string): { rows: UserImportRow[]; rejected: RejectedRow[] } {
  let records: CsvRecord[];
  try {
    records = parseCsv(text);
  } catch (error) {
    return { rows: [], rejected: [{ line: 1, reason: error instanceof Error ? error.message : String(error) }] };
  }
  const [header, ...data] = records;
  const columns = (header?.fields ?? []).map((name) => name.trim().toLowerCase());
  const nameAt = columns.indexOf('name');
  const emailAt = columns.indexOf('email');
  const roleAt = columns.indexOf('role');
  if (nameAt < 0 || roleAt < 0) {
    return { rows: [], rejected: [{ line: header?.line ?? 1, reason: 'the header must name the columns name, email and role' }] };
  }
  const rows: UserImportRow[] = [];
  const rejected: RejectedRow[] = [];
  const seen = new Set<string>();
  for (const record of data) {
    const cell = (index: number): string => (index >= 0 ? (record.fields[index] ?? '').trim() : '');
    const name = cell(nameAt);
    const email = cell(emailAt);
    const rawRole = cell(roleAt);
    if (name === '') rejected.push({ line: record.line, reason: 'name is empty' });
    else if ([...name].length > 200) rejected.push({ line: record.line, reason: 'name is longer than 200 characters' });
    else if (email !== '' && !EMAIL.test(email)) rejected.push({ line: record.line, reason: `email "${email}" is not an e-mail address` });
    else if (rawRole === '') rejected.push({ line: record.line, reason: 'role is empty (expected Finance, CustomerSuccess, Sales or Admin)' });
    else {
      const role = roleOf(rawRole);
      if (role === undefined) rejected.push({ line: record.line, reason: `role "${rawRole}" is not one of Finance, CustomerSuccess, Sales, Admin` });
      else if (seen.has(name.toLowerCase())) rejected.push({ line: record.line, reason: `name "${name}" appears earlier in the file` });
      else {
        seen.add(name.toLowerCase());
        rows.push({ line: record.line, name, email: email === '' ? null : email, role });
      }
    }
  }
  return { rows, rejected };
}
