import type { IncomingMessage } from 'node:http';
import { DomainError } from '@billing/platform';

/** Largest CSV body accepted by the import endpoints, in bytes (5 MiB). */
export const MAX_CSV_BYTES = 5 * 1024 * 1024;

/** 400 `import.invalid_body` / 413 `import.too_large`. */
export class ImportBodyError extends DomainError {}

/**
 * The CSV text of an import request: the raw body of a `text/csv` (or `text/plain`) request, or the
 * `csv` string of a JSON body `{ "csv": "…" }` (for clients that only speak JSON).
 * @throws ImportBodyError 400 `import.invalid_body` naming `body` when there is none; 413 `import.too_large` beyond {@link MAX_CSV_BYTES}.
 */
export async function readCsvBody(request: IncomingMessage & { body?: unknown }): Promise<string> {
  const parsed = request.body;
  if (parsed && typeof parsed === 'object' && typeof (parsed as { csv?: unknown }).csv === 'string') return (parsed as { csv: string }).csv;
  const type = request.headers['content-type'] ?? '';
  if (!/^text\/(csv|plain)\b/i.test(type)) {
    throw new ImportBodyError('import.invalid_body', 'send the CSV as the body with Content-Type: text/csv (or JSON { "csv": "…" })', {
      status: 400,
      errors: [{ field: 'body', message: 'Content-Type must be text/csv' }],
    });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_CSV_BYTES) throw new ImportBodyError('import.too_large', `the CSV is larger than ${MAX_CSV_BYTES} bytes`, { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
