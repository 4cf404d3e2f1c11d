import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { z } from 'zod';
import { Roles } from '@billing/auth';
import { parseCurrency, parseDecimal, toMinor } from '@billing/money';
import { DomainError } from '@billing/platform';
import { SERVICE_CONTEXT, type ServiceContext } from '@billing/service-kit';
import { billIdOf, type ActorJson } from './bill.decider.js';
import { termsInForce, type TermsJson } from './bill.rules.js';
import { BillCommands, table } from './bill.service.js';

const importBody = z.object({
  bills: z.array(
    z.object({
      customer: z.string(),
      year: z.number().int(),
      month: z.number().int(),
      overage_units: z.number().int().nonnegative(),
      overage_unit_cost: z.string(),
      currency: z.string(),
      overage_amount: z.string(),
      status: z.string(),
      actions: z.array(z.object({ stakeholder: z.string(), action: z.string(), comment: z.string().nullable() })),
    }),
  ),
});

/** Outcome of a history import. */
export interface BillImportReport {
  imported: string[];
  /** Bills already there (re-import): nothing new was created. */
  skipped: { index: number; billId: string; reason: string }[];
  /** Bills refused, with the index of the bill in the file (`bills[index]`) and why. */
  rejected: { index: number; reason: string }[];
}

/**
 * `POST /api/bills/import` (Finance, Admin), body = `seed/bill-process/bills.json`: imports historical
 * bills with their actions (DRAFT, APPROVE…, SENT) and their original actors, resolved BY NAME from the
 * users billing learnt from identity events (an unknown name rejects the bill), the customer by name from
 * the customers read model. Each bill is one stream `bill-<customerId>-<yyyy-mm>` appended atomically;
 * the last APPROVE is `BillApproved`, earlier ones `BillApprovalStepRecorded`. The original action times
 * are unknown: every action is dated the first instant of the month after the period (deterministic).
 * Idempotent: an existing bill is skipped. The amount must equal units × unit price (rule of `@billing/money`).
 */
@Controller('api/bills/import')
export class BillImportController {
  constructor(
    @Inject(SERVICE_CONTEXT) private readonly service: ServiceContext,
    @Inject(BillCommands) private readonly bills: BillCommands,
  ) {}

  @Roles('Finance', 'Admin')
  @Post()
  @HttpCode(200)
  async import(@Body({ schema: importBody }) body: z.output<typeof importBody>): Promise<BillImportReport> {
    const report: BillImportReport = { imported: [], skipped: [], rejected: [] };
    const s = this.service.schema;
    for (const [index, bill] of body.bills.entries()) {
      try {
        const period = `${String(bill.year).padStart(4, '0')}-${String(bill.month).padStart(2, '0')}`;
        if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) throw new Error(`invalid month ${bill.year}-${bill.month}`);
        const customers = await this.service.db.query<{ customer_id: string }>(`SELECT customer_id FROM ${table(s, 'customers')} WHERE name = $1`, [bill.customer]);
        if (customers.rows.length !== 1) throw new Error(customers.rows.length === 0 ? `unknown customer ${bill.customer}` : `ambiguous customer name ${bill.customer}`);
        const customerId = customers.rows[0]!.customer_id;
        const billId = billIdOf(customerId, period);
        const exists = await this.service.db.query(`SELECT 1 FROM ${table(s, 'bills')} WHERE bill_id = $1`, [billId]);
        if (exists.rowCount > 0) {
          report.skipped.push({ index, billId, reason: 'bill already exists' });
          continue;
        }
        const history: { action: 'DRAFT' | 'APPROVE' | 'SENT' | 'COMMENT'; actor: ActorJson; comment: string | null }[] = [];
        for (const action of bill.actions) {
          const users = await this.service.db.query<{ user_id: string; name: string; role: string }>(`SELECT user_id, name, role FROM ${table(s, 'users')} WHERE name = $1`, [action.stakeholder]);
          if (users.rows.length !== 1) throw new Error(users.rows.length === 0 ? `unknown user ${action.stakeholder}` : `ambiguous user name ${action.stakeholder}`);
          const u = users.rows[0]!;
          if (!['DRAFT', 'APPROVE', 'SENT', 'COMMENT'].includes(action.action)) throw new Error(`unknown action ${action.action}`);
          history.push({ action: action.action as 'DRAFT', actor: { userId: u.user_id, role: u.role, name: u.name }, comment: action.comment });
        }
        const currency = parseCurrency(bill.currency);
        const unitPrice = parseDecimal(bill.overage_unit_cost, { field: 'overage_unit_cost' });
        const terms = await this.service.db.query<{ terms: TermsJson }>(`SELECT terms FROM ${table(s, 'customer_terms')} WHERE customer_id = $1`, [customerId]);
        const [y, m] = [Number(period.slice(0, 4)), Number(period.slice(5, 7))];
        const at = new Date(Date.UTC(y, m, 1)).toISOString();
        await this.bills.execute(billId, {
          type: 'ImportBill',
          data: {
            actor: history[0]?.actor ?? { userId: 'system', role: 'system', name: 'System' },
            at,
            customerId,
            period,
            terms: terms.rows.length > 0 ? termsInForce(terms.rows.map((r) => r.terms), period) : null,
            overageUnits: String(bill.overage_units),
            unitPrice,
            currency,
            amountMinor: toMinor(bill.overage_amount, currency, 'overage_amount').toString(),
            history,
          },
        });
        report.imported.push(billId);
      } catch (error) {
        if (error instanceof DomainError && error.code === 'bill.already_exists') {
          report.skipped.push({ index, billId: '', reason: error.message });
          continue;
        }
        report.rejected.push({ index, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    return report;
  }
}
