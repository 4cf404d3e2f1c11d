import type { IncomingMessage } from 'node:http';
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { z } from 'zod';
import { CurrentUser, Roles, type Principal } from '@billing/auth';
import { readCsvBody } from '../imports/text-body.js';
import { actorOf } from '../customer/customers.service.js';
import { isPeriod } from '../customer/terms.js';
import { CUSTOMERS_SETTINGS, type CustomersSettings } from '../settings.js';
import { UsageImport } from './usage.import.js';
import { MAX_BATCH, UsageService, type IngestResult } from './usage.service.js';

const period = z.string().refine(isPeriod, 'must be a period yyyy-mm');

/** Body of `POST /api/usage/events`: up to 1,000 events, each validated on its own. */
export const ingestSchema = z.object({ events: z.array(z.unknown()).min(1).max(MAX_BATCH) });

const totalItem = z
  .object({
    customerId: z.uuid().optional(),
    customerName: z.string().min(1).optional(),
    year: z.coerce.number().int().min(1970).max(9999),
    month: z.coerce.number().int().min(1).max(12),
    apiUsage: z.union([z.number().int().min(0), z.string().regex(/^\d+$/, 'must be a non-negative integer')]).transform((v) => BigInt(v)),
  })
  .refine((item) => item.customerId !== undefined || item.customerName !== undefined, { message: 'customerId or customerName is required', path: ['customerId'] });

/** Body of `POST /api/usage/totals`: one total, a list, or `{ totals: [...] }` (≤ 1,000). */
export const totalsSchema = z.union([totalItem.transform((item) => [item]), z.array(totalItem).min(1).max(MAX_BATCH), z.object({ totals: z.array(totalItem).min(1).max(MAX_BATCH) }).transform((body) => body.totals)]);

/** Query of `GET /api/usage` (the seed's route). */
export const listUsageSchema = z.object({
  customerId: z.uuid().optional(),
  year: z.coerce.number().int().min(1970).max(9999).optional(),
  fromMonth: z.coerce.number().int().min(1).max(12).optional(),
  toMonth: z.coerce.number().int().min(1).max(12).optional(),
  from: period.optional(),
  to: period.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/** Body of `POST /api/usage/periods/:period/close`. */
export const closeSchema = z.object({ customerId: z.uuid().optional() }).default({});

/**
 * Usage: ingestion, monthly totals, month close and queries. Reads: any role; writes: Finance or Admin
 * (a machine client uses an Admin-issued token).
 */
@Controller('api')
export class UsageController {
  constructor(
    private readonly usage: UsageService,
    private readonly importer: UsageImport,
    @Inject(CUSTOMERS_SETTINGS) private readonly settings: CustomersSettings,
  ) {}

  /**
   * `POST /api/usage/events` `{ events: [{ eventId, customerId | externalKey, timestamp, quantity?, properties? }] }`
   * (≤ 1,000): 200 `{ accepted, duplicates: [eventId], rejected: [{ index, eventId, reason }] }`. Repeated ids
   * (35 days) are duplicates, not errors; unknown customers, timestamps outside the contract, bad fields are
   * rejected one by one; the rest is accepted atomically. Usage for a closed month becomes a UsageCorrected.
   */
  @Roles('Finance', 'Admin')
  @Post('usage/events')
  @HttpCode(200)
  ingest(@Body({ schema: ingestSchema }) body: z.output<typeof ingestSchema>, @CurrentUser() user: Principal): Promise<IngestResult> {
    return this.usage.ingest(body.events, actorOf(user));
  }

  /**
   * `POST /api/usage/totals` `{ customerId | customerName, year, month, apiUsage }` (or a list): sets monthly
   * totals atomically; months past the close grace window close at once. 200 `{ items: [{ customerId, period,
   * apiCalls, outcome: recorded|unchanged|corrected, closed }] }`. 400 naming the field for unknown customers.
   */
  @Roles('Finance', 'Admin')
  @Post('usage/totals')
  @HttpCode(200)
  async totals(@Body({ schema: totalsSchema }) items: z.output<typeof totalsSchema>, @CurrentUser() user: Principal) {
    const totals = await this.usage.resolveTotals(items, (i) => (items.length > 1 ? `${i}.` : ''));
    return { items: await this.usage.setTotals(totals, actorOf(user), this.settings.closeGraceDays) };
  }

  /**
   * `POST /api/usage/periods/:period/close` `{ customerId? }` (Finance, Admin): closes a month (UsagePeriodClosed
   * per customer). Idempotent. 409 `usage.period_not_ended` before the month ends; 404 for an unknown customer.
   */
  @Roles('Finance', 'Admin')
  @Post('usage/periods/:period/close')
  @HttpCode(200)
  close(@Param('period', { schema: period }) forPeriod: string, @Body({ schema: closeSchema }) body: z.output<typeof closeSchema>, @CurrentUser() user: Principal) {
    return this.usage.closePeriod(forPeriod, actorOf(user), { customerId: body.customerId });
  }

  /**
   * `GET /api/usage?customerId=&year=&fromMonth=&toMonth=` (or `from`/`to` `yyyy-mm`): monthly totals,
   * `{ items: [{ customerId, customerName, period, year, month, apiUsage, closed }], total, limit, offset }`.
   */
  @Roles('Finance', 'CustomerSuccess', 'Sales', 'Admin')
  @Get('usage')
  list(@Query({ schema: listUsageSchema }) query: z.output<typeof listUsageSchema>) {
    const pad = (m: number) => String(m).padStart(2, '0');
    const from = query.from ?? (query.year !== undefined ? `${query.year}-${pad(query.fromMonth ?? 1)}` : undefined);
    const to = query.to ?? (query.year !== undefined ? `${query.year}-${pad(query.toMonth ?? 12)}` : undefined);
    return this.usage.list({ customerId: query.customerId, from, to, limit: query.limit, offset: query.offset });
  }

  /** `GET /api/customers/:customerId/usage?from=yyyy-mm&to=yyyy-mm`: the chart series (see `UsageService.series`). */
  @Roles('Finance', 'CustomerSuccess', 'Sales', 'Admin')
  @Get('customers/:customerId/usage')
  series(@Param('customerId', { schema: z.uuid() }) customerId: string, @Query({ schema: z.object({ from: period.optional(), to: period.optional() }) }) range: { from?: string; to?: string }) {
    return this.usage.series(customerId, range);
  }

  /**
   * `POST /api/usage/import` (Finance, Admin), body = `usages.csv` (`customer,year,month,api_usage`,
   * `Content-Type: text/csv`): `{ created, corrected, unchanged, rejected: [{ line, field, reason }] }`.
   */
  @Roles('Finance', 'Admin')
  @Post('usage/import')
  @HttpCode(200)
  async import(@Req() request: IncomingMessage & { body?: unknown }, @CurrentUser() user: Principal) {
    return this.importer.run(await readCsvBody(request), actorOf(user));
  }
}
