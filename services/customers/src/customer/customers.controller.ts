import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { CurrentUser, Roles, type Principal } from '@billing/auth';
import { RequestValidationError, type FieldError } from '@billing/platform';
import { readCsvBody } from '../imports/text-body.js';
import { UsageService } from '../usage/usage.service.js';
import { CustomersImport, type ImportReport } from './customers.import.js';
import { actorOf, customerIdOf, CustomersService } from './customers.service.js';
import { CustomerNotFound, termsInForce, type CsmCandidate } from './customer.decider.js';
import { isPeriod, parseContractTerms, type ContractTerms, type ContractTermsInput } from './terms.js';

const period = z.string().refine(isPeriod, 'must be a period yyyy-mm');
const uuid = z.uuid();
const preferences = z.record(z.string(), z.unknown());
const termsInput = z.object({
  monthlyApiLimit: z.unknown(),
  overageUnitPrice: z.unknown(),
  currency: z.unknown(),
  startDate: z.unknown(),
  endDate: z.unknown().optional(),
  requireCsmApproval: z.unknown().optional(),
  overageGraceMonths: z.unknown().optional(),
});

/** Body of `POST /api/customers`. */
export const registerCustomerSchema = z.object({
  name: z.string().trim().min(1).max(200),
  billingAddress: z.string().trim().min(1).max(1000),
  billingEmail: z.email(),
  csmUserId: z.string().min(1).optional(),
  preferences: preferences.default({}),
  terms: termsInput,
});

/** Body of `PATCH /api/customers/:customerId`: any subset; `terms` (partial, merged on the latest terms) needs `effectiveFrom`. */
export const patchCustomerSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  billingAddress: z.string().trim().min(1).max(1000).optional(),
  billingEmail: z.email().optional(),
  csmUserId: z.string().min(1).optional(),
  preferences: preferences.optional(),
  terms: termsInput.partial().optional(),
  /** First month the new terms apply: `yyyy-mm` (or `yyyy-mm-01`). */
  effectiveFrom: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])(-01)?$/, 'must be a period yyyy-mm (or its first day yyyy-mm-01)').optional(),
});

/** Query of `GET /api/customers`. */
export const listCustomersSchema = z.object({
  q: z.string().max(200).optional(),
  csmUserId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/**
 * Customers and their contracts. Reads: any role; writes and imports: Finance or Admin.
 * Errors: 400 `request.invalid` (fields named), 400 `customer.invalid_csm`, 404 `customer.not_found`,
 * 409 `customer.already_exists`.
 */
@Controller('api/customers')
export class CustomersController {
  constructor(
    private readonly customers: CustomersService,
    private readonly importer: CustomersImport,
    private readonly usage: UsageService,
  ) {}

  /** `GET /api/customers?q=&csmUserId=&limit=&offset=`: `{ items, total, limit, offset }`, items with the terms in force this month. */
  @Roles('Finance', 'CustomerSuccess', 'Sales', 'Admin')
  @Get()
  list(@Query({ schema: listCustomersSchema }) query: z.output<typeof listCustomersSchema>) {
    return this.customers.list(query);
  }

  /**
   * `GET /api/customers/:customerId?period=yyyy-mm`: the customer, its terms history, the terms in
   * force for `period` (default: the current month; `inContract` says whether the contract covers it)
   * and `monthlyUsage`: the 12 months up to `period` (`{ period, apiCalls, limit, overageUnits, closed }`).
   * @throws CustomerNotFound 404
   */
  @Roles('Finance', 'CustomerSuccess', 'Sales', 'Admin')
  @Get(':customerId')
  async get(@Param('customerId', { schema: uuid }) customerId: string, @Query('period', { schema: period.optional() }) forPeriod?: string) {
    const customer = await this.customers.get(customerId, forPeriod);
    const usage = await this.usage.series(customerId, { to: forPeriod });
    return { ...customer, monthlyUsage: usage.items };
  }

  /**
   * `GET /api/customers/:customerId/terms?period=yyyy-mm` (required): `{ period, effectiveFrom, terms, inContract }`,
   * the terms billing must use for that month (the latest change effective on or before its first day).
   */
  @Roles('Finance', 'CustomerSuccess', 'Sales', 'Admin')
  @Get(':customerId/terms')
  async terms(@Param('customerId', { schema: uuid }) customerId: string, @Query('period', { schema: period }) forPeriod: string) {
    const view = await this.customers.get(customerId, forPeriod);
    const entry = termsInForce(view.termsHistory, forPeriod);
    return { customerId, period: forPeriod, effectiveFrom: entry.effectiveFrom, terms: entry.terms, inContract: view.inContract };
  }

  /**
   * `POST /api/customers` (Finance, Admin): registers a customer; its id is the UUID v5 of its name.
   * `terms.startDate` after `terms.endDate`, an unknown currency, a malformed price → 400 naming the field;
   * a CSM who is not an active Customer Success user → 400 `customer.invalid_csm` naming `csmUserId`.
   * @returns 201 with the customer.
   */
  @Roles('Finance', 'Admin')
  @Post()
  async register(@Body({ schema: registerCustomerSchema }) body: z.output<typeof registerCustomerSchema>, @CurrentUser() user: Principal) {
    const terms = parseContractTerms(body.terms as ContractTermsInput, 'terms.');
    if (!terms.ok) throw new RequestValidationError(terms.errors);
    const customerId = customerIdOf(body.name);
    await this.customers.execute(
      customerId,
      async (_state, q) => ({
        type: 'RegisterCustomer',
        data: {
          customerId,
          name: body.name,
          billingAddress: body.billingAddress,
          billingEmail: body.billingEmail,
          csm: body.csmUserId === undefined ? undefined : await this.customers.csmById(body.csmUserId, q),
          csmField: 'csmUserId',
          preferences: body.preferences,
          terms: terms.terms,
        },
      }),
      actorOf(user),
    );
    return this.customers.get(customerId);
  }

  /**
   * `PATCH /api/customers/:customerId` (Finance, Admin): changes details, the CSM and/or the terms
   * (from `effectiveFrom`'s month on: a CustomerTermsChanged event), all in one transaction: either
   * every change is recorded or none.
   * @throws RequestValidationError 400 (e.g. `terms` without `effectiveFrom`), InvalidCsm 400, CustomerNotFound 404
   */
  @Roles('Finance', 'Admin')
  @Patch(':customerId')
  async patch(
    @Param('customerId', { schema: uuid }) customerId: string,
    @Body({ schema: patchCustomerSchema }) body: z.output<typeof patchCustomerSchema>,
    @CurrentUser() user: Principal,
  ) {
    const current = await this.customers.snapshot(customerId);
    if (!current) throw new CustomerNotFound(customerId);
    const errors: FieldError[] = [];
    let newTerms: ContractTerms | undefined;
    if (body.terms !== undefined) {
      if (body.effectiveFrom === undefined) errors.push({ field: 'effectiveFrom', message: 'required when terms change (the first month they apply)' });
      const base = current.termsHistory.at(-1)!.terms;
      const parsed = parseContractTerms({ ...base, ...body.terms } as ContractTermsInput, 'terms.');
      if (!parsed.ok) errors.push(...parsed.errors);
      else newTerms = parsed.terms;
    }
    if (errors.length > 0) throw new RequestValidationError(errors);
    const actor = actorOf(user);
    const effectiveFrom = body.effectiveFrom ? `${body.effectiveFrom.slice(0, 7)}-01` : undefined;
    await this.customers.service.store.transaction(async (store) => {
      await this.customers.execute(
        customerId,
        { type: 'ChangeCustomerDetails', data: { customerId, name: body.name, billingAddress: body.billingAddress, billingEmail: body.billingEmail, preferences: body.preferences } },
        actor,
        store,
      );
      if (body.csmUserId !== undefined) {
        const csmUserId = body.csmUserId;
        await this.customers.execute(
          customerId,
          async (_state, q): Promise<{ type: 'AssignCsm'; data: { customerId: string; csm: CsmCandidate; csmField: string } }> => ({
            type: 'AssignCsm',
            data: { customerId, csm: await this.customers.csmById(csmUserId, q), csmField: 'csmUserId' },
          }),
          actor,
          store,
        );
      }
      if (newTerms && effectiveFrom) {
        await this.customers.execute(customerId, { type: 'ChangeTerms', data: { customerId, effectiveFrom, terms: newTerms } }, actor, store);
      }
    });
    return this.customers.get(customerId);
  }

  /**
   * `POST /api/customers/import` (Finance, Admin), body = `customers.csv` text (`Content-Type: text/csv`):
   * `{ created, unchanged, rejected: [{ line, field, reason }] }`. Idempotent (ids are UUID v5 of the names).
   */
  @Roles('Finance', 'Admin')
  @Post('import')
  @HttpCode(200)
  async import(@Req() request: IncomingMessage & { body?: unknown }, @CurrentUser() user: Principal): Promise<ImportReport> {
    return this.importer.run(await readCsvBody(request), actorOf(user));
  }
}
