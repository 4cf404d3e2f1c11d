import { parse } from 'csv-parse/sync';

/** A row of an import that could not be taken: its 1-based line in the file, the field at fault and why. */
export interface RejectedRow {
  line: number;
  field: string;
  reason: string;
}

/** A parsed data row: its 1-based line number and its values by header name. */
export interface CsvRow {
  line: number;
  values: Record<string, string>;
}

/** The outcome of {@link readCsv}. */
export interface CsvFile {
  rows: CsvRow[];
  rejected: RejectedRow[];
}

/** Parses one logical record (it may span lines) with csv-parse: its fields, or the parser's reason. */
function parseRecord(text: string): { fields: string[] } | { error: string } {
  try {
    return { fields: (parse(text) as string[][])[0] ?? [] };
  } catch (error) {
    return { error: (error as Error).message.replace(/ at line \d+| on line \d+/g, '') };
  }
}

/**
 * Splits `text` into logical records (a quoted field may span lines), each with its first line
 * number. A record whose quotes never balance, or that spans lines and does not parse, is reported
 * as its first line alone and reading resumes at the next line, so one stray quote cannot swallow
 * the rest of the file.
 */
function logicalRecords(text: string): ({ line: number; fields: string[] } | { line: number; error: string })[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const quotes = lines.map((line) => (line.match(/"/g) ?? []).length);
  const records: ({ line: number; fields: string[] } | { line: number; error: string })[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue;
    const start = i;
    let record = lines[i]!;
    let count = quotes[i]!;
    while (count % 2 === 1 && i + 1 < lines.length) {
      i++;
      record += `\n${lines[i]}`;
      count += quotes[i]!;
    }
    if (count % 2 === 1) {
      records.push({ line: start + 1, error: 'a quoted field is not closed' });
      i = start;
      continue;
    }
    const parsed = parseRecord(record);
    if ('error' in parsed) {
      records.push({ line: start + 1, error: parsed.error });
      i = start;
      continue;
    }
    records.push({ line: start + 1, fields: parsed.fields });
  }
  return records;
}

/**
 * Reads a CSV file with a header line (RFC 4180 quoting, via `csv-parse`), one logical record at a
 * time so that a malformed line is rejected alone (`field: "csv"`, with csv-parse's reason) and the
 * other lines still parse. Empty lines are skipped. Header names are trimmed; values are trimmed.
 * @param required header names that must be present; a missing one rejects line 1 and every row.
 */
export function readCsv(text: string, required: readonly string[]): CsvFile {
  const records = logicalRecords(text);
  const rejected: RejectedRow[] = [];
  const rows: CsvRow[] = [];
  const header = records.shift();
  if (!header) return { rows, rejected: [{ line: 1, field: 'csv', reason: 'the file is empty: a header line is required' }] };
  if ('error' in header) return { rows, rejected: [{ line: header.line, field: 'csv', reason: `malformed header: ${header.error}` }] };
  const columns = header.fields.map((name) => name.trim());
  const missing = required.filter((name) => !columns.includes(name));
  if (missing.length > 0) {
    return { rows, rejected: [{ line: header.line, field: 'csv', reason: `missing column(s): ${missing.join(', ')} (expected ${required.join(',')})` }] };
  }
  for (const record of records) {
    if ('error' in record) {
      rejected.push({ line: record.line, field: 'csv', reason: `malformed CSV line: ${record.error}` });
      continue;
    }
    const fields = record.fields;
    if (fields.length !== columns.length) {
      rejected.push({ line: record.line, field: 'csv', reason: `malformed CSV line: ${columns.length} fields expected, got ${fields.length}` });
      continue;
    }
    const values: Record<string, string> = {};
    columns.forEach((name, index) => (values[name] = fields[index]!.trim()));
    rows.push({ line: record.line, values });
  }
  return { rows, rejected };
}
