import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { DomainError } from '@billing/platform';
import { readCsv, type RejectedRow } from '../imports/csv.js';
import { assertValidCsm, type CsmCandidate } from './customer.decider.js';
import { customerIdOf, CustomersService, type ActorInfo } from './customers.service.js';
import { parseContractTerms, sameTerms, type ContractTerms } from './terms.js';

/** What an import answers: rows that created something, rows already there as given, rejected rows. */
export interface ImportReport {
  created: number;
  unchanged: number;
  rejected: RejectedRow[];
}

/** Columns of `customers.csv` (seed/bill-process format). */
export const CUSTOMER_COLUMNS = [
  'name',
  'billing_address',
  'billing_email',
  'monthly_api_limit',
  'overage_unit_cost',
  'currency',
  'start_date',
  'end_date',
  'require_csm_approval',
  'csm',
] as const;

/** CSV column of each terms field, to name it in a rejected row. */
const TERMS_COLUMN: Record<string, string> = {
  monthlyApiLimit: 'monthly_api_limit',
  overageUnitPrice: 'overage_unit_cost',
  currency: 'currency',
  startDate: 'start_date',
  endDate: 'end_date',
  requireCsmApproval: 'require_csm_approval',
  overageGraceMonths: 'overage_grace_months',
};

const email = z.email();

interface ValidRow {
  line: number;
  customerId: string;
  name: string;
  billingAddress: string;
  billingEmail: string;
  csm: CsmCandidate | undefined;
  terms: ContractTerms;
}

/**
 * Imports `customers.csv` (BillProcess format: `name,billing_address,billing_email,monthly_api_limit,
 * overage_unit_cost,currency,start_date,end_date,require_csm_approval,csm`; dates ISO or `M/1/2017`,
 * empty `end_date` = open-ended; `csm` = a user name; optional `overage_grace_months`).
 * Each row is validated on its own (a bad row is reported with its line, column and reason, the rest
 * goes in); the accepted rows are registered in ONE transaction. A customer already registered with
 * the same details and terms is `unchanged` (re-import creates nothing); one registered with other
 * values is rejected (change it with PATCH).
 */
@Injectable()
export class CustomersImport {
  constructor(private readonly customers: CustomersService) {}

  /** Runs the import of `text` as `actor`. */
  async run(text: string, actor: ActorInfo): Promise<ImportReport> {
    const file = readCsv(text, CUSTOMER_COLUMNS.filter((c) => c !== 'end_date'));
    const rejected = [...file.rejected];
    const valid: ValidRow[] = [];
    const seen = new Map<string, number>();
    for (const { line, values } of file.rows) {
      const reject = (field: string, reason: string) => rejected.push({ line, field, reason });
      const name = values['name'] ?? '';
      if (name === '') {
        reject('name', 'required');
        continue;
      }
      if (seen.has(name)) {
        reject('name', `duplicate of line ${seen.get(name)}`);
        continue;
      }
      const errors: { field: string; reason: string }[] = [];
      if ((values['billing_address'] ?? '') === '') errors.push({ field: 'billing_address', reason: 'required' });
      if (!email.safeParse(values['billing_email'] ?? '').success) errors.push({ field: 'billing_email', reason: 'must be an e-mail address' });
      const terms = parseContractTerms({
        monthlyApiLimit: values['monthly_api_limit'],
        overageUnitPrice: values['overage_unit_cost'],
        currency: values['currency'],
        startDate: values['start_date'],
        endDate: values['end_date'],
        requireCsmApproval: values['require_csm_approval'],
        overageGraceMonths: values['overage_grace_months'],
      });
      if (!terms.ok) errors.push(...terms.errors.map((error) => ({ field: TERMS_COLUMN[error.field] ?? error.field, reason: error.message })));
      let csm: CsmCandidate | undefined;
      const csmName = values['csm'] ?? '';
      if (csmName !== '') {
        csm = await this.customers.csmByName(csmName);
        try {
          assertValidCsm(csm, 'csm');
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          errors.push({ field: 'csm', reason: error.message.replace(/^csm: /, '') });
        }
      }
      if (errors.length > 0 || !terms.ok) {
        for (const error of errors) reject(error.field, error.reason);
        continue;
      }
      seen.set(name, line);
      valid.push({ line, customerId: customerIdOf(name), name, billingAddress: values['billing_address']!, billingEmail: values['billing_email']!, csm, terms: terms.terms });
    }

    let created = 0;
    let unchanged = 0;
    await this.customers.service.store.transaction(async (store, tx) => {
      for (const row of valid) {
        const existing = await this.customers.snapshot(row.customerId, tx);
        if (existing) {
          const differs = this.differences(existing, row);
          if (differs.length === 0) unchanged++;
          else rejected.push({ line: row.line, field: differs[0]!, reason: `customer ${row.name} is already registered with another ${differs.join(', ')}; change it with PATCH /api/customers/${row.customerId}` });
          continue;
        }
        await this.customers.execute(
          row.customerId,
          {
            type: 'RegisterCustomer',
            data: {
              customerId: row.customerId,
              name: row.name,
              billingAddress: row.billingAddress,
              billingEmail: row.billingEmail,
              csm: row.csm,
              csmField: 'csm',
              preferences: {},
              terms: row.terms,
            },
          },
          actor,
          store,
        );
        created++;
      }
    });
    rejected.sort((a, b) => a.line - b.line);
    return { created, unchanged, rejected };
  }

  private differences(existing: NonNullable<Awaited<ReturnType<CustomersService['snapshot']>>>, row: ValidRow): string[] {
    const fields: string[] = [];
    if (existing.billingAddress !== row.billingAddress) fields.push('billing_address');
    if (existing.billingEmail !== row.billingEmail) fields.push('billing_email');
    if ((existing.csmUserId ?? null) !== (row.csm?.userId ?? null)) fields.push('csm');
    if (!sameTerms(existing.termsHistory[0]!.terms, row.terms)) fields.push('terms');
    return fields;
  }
}
