import type { BillSummary } from '../app/types';

/** Quotes one CSV field (RFC 4180): fields with a comma, quote or line break are quoted, quotes doubled. */
export function csvField(value: string | number | boolean | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Columns of the dashboard's CSV export. */
export const BILL_CSV_COLUMNS = ['bill_id', 'customer', 'period', 'status', 'usage_api_calls', 'included_api_calls', 'overage_units', 'unit_price', 'amount', 'amount_minor', 'currency'] as const;

/** The dashboard's bills as CSV text (header + one row per bill, CRLF line ends; money as the API gave it). */
export function billsToCsv(bills: readonly BillSummary[]): string {
  const rows = bills.map((b) =>
    [b.billId, b.customerName ?? b.customerId, b.period, b.status, b.usageApiCalls, b.includedApiCalls, b.overageUnits, b.unitPrice, b.amount.amount ?? '', b.amount.amountMinor, b.amount.currency]
      .map(csvField)
      .join(','),
  );
  return [BILL_CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}

/**
 * Reads every page of a list endpoint (`{ items, total }` with `limit`/`offset`), `pageSize` at a time
 * (the API's maximum is 500), and returns all items in order.
 */
export async function fetchAllPages<T>(fetchPage: (limit: number, offset: number) => Promise<{ items: T[]; total: number }>, pageSize = 500): Promise<T[]> {
  const all: T[] = [];
  for (let offset = 0; ; offset += pageSize) {
    const page = await fetchPage(pageSize, offset);
    all.push(...page.items);
    if (page.items.length === 0 || all.length >= page.total) return all;
  }
}
