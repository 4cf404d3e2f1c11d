import { Inject, Injectable } from '@nestjs/common';
import { readCsv, type RejectedRow } from '../imports/csv.js';
import type { ActorInfo } from '../customer/customers.service.js';
import { CUSTOMERS_SETTINGS, type CustomersSettings } from '../settings.js';
import { UsageService, type MonthlyTotal } from './usage.service.js';

/** Columns of `usages.csv` (seed/bill-process format). */
export const USAGE_COLUMNS = ['customer', 'year', 'month', 'api_usage'] as const;

/** Report of a usage import. */
export interface UsageImportReport {
  /** Rows that recorded a new total (or raised an open one). */
  created: number;
  /** Rows that changed a closed month's total (UsageCorrected). */
  corrected: number;
  /** Rows whose total was already recorded. */
  unchanged: number;
  rejected: RejectedRow[];
}

/**
 * Imports `usages.csv` (`customer,year,month,api_usage`: the customer by name, i.e. its external key):
 * each row is validated on its own (unknown customer, bad year/month, negative or non-integer usage →
 * rejected with line, column and reason; a repeated customer-month → rejected), the others set their
 * monthly totals in ONE transaction (see `UsageService.setTotals`: months past the grace window close at
 * once). Re-importing the same file changes nothing.
 */
@Injectable()
export class UsageImport {
  constructor(
    private readonly usage: UsageService,
    @Inject(CUSTOMERS_SETTINGS) private readonly settings: CustomersSettings,
  ) {}

  /** Runs the import of `text` as `actor`. */
  async run(text: string, actor: ActorInfo): Promise<UsageImportReport> {
    const file = readCsv(text, USAGE_COLUMNS);
    const rejected = [...file.rejected];
    const names = [...new Set(file.rows.map((row) => row.values['customer'] ?? '').filter((name) => name !== ''))];
    const known = await this.usage.contracts([], names);
    const totals: MonthlyTotal[] = [];
    const seen = new Map<string, number>();
    for (const { line, values } of file.rows) {
      const errors: RejectedRow[] = [];
      const name = values['customer'] ?? '';
      const contract = known.byKey.get(name);
      if (!contract) errors.push({ line, field: 'customer', reason: name === '' ? 'required' : `unknown customer ${name}` });
      const year = values['year'] ?? '';
      if (!/^\d{4}$/.test(year) || Number(year) < 1970) errors.push({ line, field: 'year', reason: 'must be a four-digit year' });
      const month = values['month'] ?? '';
      if (!/^\d{1,2}$/.test(month) || Number(month) < 1 || Number(month) > 12) errors.push({ line, field: 'month', reason: 'must be a month number 1–12' });
      const usage = values['api_usage'] ?? '';
      if (!/^\d+$/.test(usage)) errors.push({ line, field: 'api_usage', reason: /^-\d+$/.test(usage) ? 'must not be negative' : 'must be a non-negative integer' });
      if (errors.length > 0 || !contract) {
        rejected.push(...errors);
        continue;
      }
      const period = `${year}-${month.padStart(2, '0')}`;
      if (period > new Date().toISOString().slice(0, 7)) {
        rejected.push({ line, field: 'month', reason: `${period} is a future month` });
        continue;
      }
      const key = `${contract.customerId}|${period}`;
      if (seen.has(key)) {
        rejected.push({ line, field: 'month', reason: `duplicate of line ${seen.get(key)} (${name} ${period})` });
        continue;
      }
      seen.set(key, line);
      totals.push({ customerId: contract.customerId, period, apiCalls: BigInt(usage) });
    }
    const outcomes = totals.length > 0 ? await this.usage.setTotals(totals, actor, this.settings.closeGraceDays) : [];
    rejected.sort((a, b) => a.line - b.line);
    return {
      created: outcomes.filter((o) => o.outcome === 'recorded').length,
      corrected: outcomes.filter((o) => o.outcome === 'corrected').length,
      unchanged: outcomes.filter((o) => o.outcome === 'unchanged').length,
      rejected,
    };
  }
}
