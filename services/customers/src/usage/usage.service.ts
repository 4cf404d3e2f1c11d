import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { quoteIdentifier, type SqlQueryable } from '@billing/database';
import { NO_CONCURRENCY_CHECK, STREAM_DOES_NOT_EXIST, type PostgresEventStore } from '@billing/event-store';
import { formatMinor, lineAmount, moneyToJson } from '@billing/money';
import { DomainError, RequestValidationError, type FieldError } from '@billing/platform';
import { SERVICE_CONTEXT, type ServiceContext } from '@billing/service-kit';
import { CustomerNotFound, termsInForce, type TermsEntry } from '../customer/customer.decider.js';
import type { ActorInfo } from '../customer/customers.service.js';
import { contractCoversDate, daysIn, firstDayOf, isPeriod, lastDayOf, nextPeriod } from '../customer/terms.js';
import { CUSTOMERS_SETTINGS, type CustomersSettings } from '../settings.js';
import { ContractCache, type CustomerContract } from './contract-cache.js';
import { usageBatchStreamId, usagePeriodStreamId, type UsageEvent } from './usage.events.js';

/** Most events in one `POST /api/usage/events` batch. */
export const MAX_BATCH = 1000;
/** How long an event id is remembered for deduplication (days). */
export const DEDUP_WINDOW_DAYS = 35;
/** How far in the future an event timestamp may be (clock skew), in milliseconds. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** Most rows one ingestion transaction takes from the queue. */
export const MAX_GROUP_ROWS = 5_000;

/** A validated usage event, ready to store. */
interface IngestRow {
  eventId: string;
  customerId: string;
  period: string;
  quantity: number;
}

/** A request waiting for the group-commit writer. */
interface PendingWrite {
  rows: IngestRow[];
  actor: ActorInfo;
  resolve(fresh: Set<string>): void;
  reject(error: unknown): void;
}

/** One usage event as a client sends it. */
export const usageEventSchema = z.object({
  /** Idempotency key, unique per event (any string up to 200 characters, e.g. a UUID). */
  eventId: z.string().min(1).max(200),
  customerId: z.uuid().optional(),
  /** The customer's external key (its name at registration), instead of `customerId`. */
  externalKey: z.string().min(1).max(200).optional(),
  /** When the API calls happened: ISO 8601 with an offset, e.g. `2026-11-21T10:00:00Z`. */
  timestamp: z.iso.datetime({ offset: true }),
  /** API calls the event stands for (default 1): a non-negative integer. */
  quantity: z.number().int().min(0).max(1_000_000_000).default(1),
  properties: z.record(z.string(), z.unknown()).optional(),
});
export type UsageEventInput = z.output<typeof usageEventSchema>;

/** The answer to a batch: accepted count, duplicate ids (already seen within 35 days, or repeated in the batch) and rejected events. */
export interface IngestResult {
  accepted: number;
  duplicates: string[];
  rejected: { index: number; eventId: string | null; reason: string }[];
}

/** One monthly total to set (`POST /api/usage/totals`, usages.csv). */
export interface MonthlyTotal {
  customerId: string;
  period: string;
  apiCalls: bigint;
}

/** What setting a monthly total did. */
export type TotalOutcome = 'recorded' | 'unchanged' | 'corrected';

/** 409 `usage.period_not_ended`: a month cannot be closed before it ends. */
export class PeriodNotEnded extends DomainError {
  constructor(period: string) {
    super('usage.period_not_ended', `period ${period} has not ended yet`, { status: 409 });
  }
}


/** Whether `period` is past its close grace window at `now`: `now ≥ first day of the next month + graceDays`. */
export function isPastGrace(period: string, now: Date, graceDays: number): boolean {
  const next = new Date(`${firstDayOf(nextPeriod(period))}T00:00:00Z`).getTime();
  return now.getTime() >= next + graceDays * 86_400_000;
}

/**
 * Usage ingestion and monthly totals (issue 4).
 *
 * Ingestion does NOT append one event-store event per usage event: per batch it runs, in ONE
 * transaction, a multi-row `INSERT … ON CONFLICT DO NOTHING RETURNING` into the `usage_events` dedup
 * table, one upsert of the per-(customer, period) totals (rows locked in key order, so concurrent
 * batches cannot deadlock) and one append of a `usagebatch-<id>` stream holding one UsageRecorded per
 * (customer, period) touched, or UsageCorrected when that period is already closed.
 */
@Injectable()
export class UsageService {
  private readonly s: string;
  private readonly pending: PendingWrite[] = [];
  private inflight = 0;
  /** Ingestion write counters since start: transactions and the HTTP batches they served (group commit). */
  readonly writeStats = { transactions: 0, batches: 0 };

  constructor(
    @Inject(SERVICE_CONTEXT) readonly service: ServiceContext,
    private readonly cache: ContractCache,
    @Inject(CUSTOMERS_SETTINGS) private readonly settings: CustomersSettings,
  ) {
    this.s = quoteIdentifier(service.schema);
  }

  private t(name: string): string {
    return `${this.s}.${name}`;
  }

  /**
   * Ingests a batch (≤ {@link MAX_BATCH}) of raw events; each is validated on its own. Rejected with a
   * reason: malformed fields (named), unknown customer, a timestamp outside the customer's contract or
   * in the future. Duplicates (an id seen within 35 days, or twice in the batch) are reported, not
   * counted again. Everything else is accepted atomically.
   */
  async ingest(raw: readonly unknown[], actor: ActorInfo, now = new Date()): Promise<IngestResult> {
    const rejected: IngestResult['rejected'] = [];
    const duplicates: string[] = [];
    const valid: { index: number; event: UsageEventInput }[] = [];
    const seen = new Set<string>();
    raw.forEach((item, index) => {
      const parsed = usageEventSchema.safeParse(item);
      const eventId = typeof (item as { eventId?: unknown } | null)?.eventId === 'string' ? (item as { eventId: string }).eventId : null;
      if (!parsed.success) {
        rejected.push({ index, eventId, reason: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'event'}: ${issue.message}`).join('; ') });
        return;
      }
      const event = parsed.data;
      if (!event.customerId && !event.externalKey) {
        rejected.push({ index, eventId, reason: 'customerId: required (or externalKey)' });
        return;
      }
      if (Date.parse(event.timestamp) > now.getTime() + FUTURE_TOLERANCE_MS) {
        rejected.push({ index, eventId, reason: 'timestamp: is in the future' });
        return;
      }
      if (seen.has(event.eventId)) {
        duplicates.push(event.eventId);
        return;
      }
      seen.add(event.eventId);
      valid.push({ index, event });
    });

    const lookup = (event: UsageEventInput) => this.cache.get(event.customerId ? `id:${event.customerId}` : `key:${event.externalKey}`);
    const missing = valid.filter(({ event }) => lookup(event) === undefined);
    if (missing.length > 0) {
      const found = await this.contracts(
        missing.flatMap(({ event }) => (event.customerId ? [event.customerId] : [])),
        missing.flatMap(({ event }) => (event.externalKey ? [event.externalKey] : [])),
      );
      for (const contract of found.byId.values()) this.cache.set(contract);
    }
    const rows: IngestRow[] = [];
    for (const { index, event } of valid) {
      const contract = lookup(event);
      if (!contract || (event.customerId && event.externalKey && contract.externalKey !== event.externalKey)) {
        rejected.push({ index, eventId: event.eventId, reason: event.customerId ? `customerId: unknown customer ${event.customerId}` : `externalKey: unknown customer ${event.externalKey}` });
        continue;
      }
      const date = new Date(event.timestamp).toISOString().slice(0, 10);
      if (!contractCoversDate(contract, date)) {
        rejected.push({
          index,
          eventId: event.eventId,
          reason: `timestamp: ${date} is outside the customer's contract (${contract.startDate} – ${contract.endDate ?? 'open-ended'})`,
        });
        continue;
      }
      rows.push({ eventId: event.eventId, customerId: contract.customerId, period: date.slice(0, 7), quantity: event.quantity });
    }
    rejected.sort((a, b) => a.index - b.index);
    if (rows.length === 0) return { accepted: 0, duplicates, rejected };

    const fresh = await this.write(rows, actor);
    for (const row of rows) if (!fresh.has(row.eventId)) duplicates.push(row.eventId);
    return { accepted: fresh.size, duplicates, rejected };
  }

  /**
   * Group commit: queues a request's rows; up to `settings.ingestWriters` transactions run at once,
   * and each takes every request queued meanwhile (same actor, ≤ {@link MAX_GROUP_ROWS} rows), so
   * under load one transaction (one dedup insert, one totals upsert, one append, one commit) serves
   * several HTTP batches. A lone request is written at once. Resolves with the ids this request
   * inserted (an id also sent by an earlier request of the group, or already stored, is a duplicate).
   */
  private write(rows: IngestRow[], actor: ActorInfo): Promise<Set<string>> {
    return new Promise((resolve, reject) => {
      this.pending.push({ rows, actor, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inflight < this.settings.ingestWriters && this.pending.length > 0) {
      const first = this.pending.shift()!;
      const group = [first];
      let size = first.rows.length;
      for (let i = 0; i < this.pending.length && size < MAX_GROUP_ROWS; ) {
        const candidate = this.pending[i]!;
        if (candidate.actor.userId === first.actor.userId && size + candidate.rows.length <= MAX_GROUP_ROWS) {
          group.push(candidate);
          size += candidate.rows.length;
          this.pending.splice(i, 1);
        } else i++;
      }
      this.inflight++;
      this.writeStats.transactions++;
      this.writeStats.batches += group.length;
      this.flush(group).finally(() => {
        this.inflight--;
        this.pump();
      });
    }
  }

  private async flush(group: PendingWrite[]): Promise<void> {
    try {
      // An id sent twice within the group belongs to its first request.
      const owner = new Map<string, PendingWrite>();
      const rows: IngestRow[] = [];
      for (const request of group) {
        for (const row of request.rows) {
          if (owner.has(row.eventId)) continue;
          owner.set(row.eventId, request);
          rows.push(row);
        }
      }
      rows.sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
      const fresh = await this.service.store.transaction(async (store, tx) => {
        // One statement: dedup insert (in id order), per-(customer, period) sums of the fresh rows,
        // totals upsert (in key order): concurrent transactions lock in the same order, no deadlock.
        const result = await tx.query<{ fresh: string[]; totals: { customerId: string; period: string; total: string; closed: boolean; added: string }[] }>(
          `WITH ins AS (
             INSERT INTO ${this.t('usage_events')} (event_id, customer_id, period, quantity)
             SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::int8[])
             ON CONFLICT DO NOTHING
             RETURNING event_id, customer_id, period, quantity
           ), agg AS (
             SELECT customer_id, period, sum(quantity)::bigint AS added FROM ins GROUP BY customer_id, period
           ), up AS (
             INSERT INTO ${this.t('usage_totals')} AS t (customer_id, period, api_calls)
             SELECT customer_id, period, added FROM agg ORDER BY customer_id, period
             ON CONFLICT (customer_id, period) DO UPDATE SET api_calls = t.api_calls + EXCLUDED.api_calls, updated_at = now()
             RETURNING t.customer_id, t.period, t.api_calls, t.closed
           )
           SELECT (SELECT coalesce(array_agg(event_id), '{}') FROM ins) AS fresh,
                  (SELECT coalesce(json_agg(json_build_object('customerId', up.customer_id, 'period', up.period, 'total', up.api_calls::text,
                                                              'closed', up.closed, 'added', agg.added::text)), '[]'::json)
                     FROM up JOIN agg USING (customer_id, period)) AS totals`,
          [rows.map((r) => r.eventId), rows.map((r) => r.customerId), rows.map((r) => r.period), rows.map((r) => r.quantity)],
        );
        const { fresh, totals } = result.rows[0]!;
        const events: UsageEvent[] = totals.map((row) => {
          const { customerId, period } = row;
          return row.closed
            ? { type: 'UsageCorrected', data: { customerId, period, previousApiCalls: (BigInt(row.total) - BigInt(row.added)).toString(), apiCalls: row.total } }
            : { type: 'UsageRecorded', data: { customerId, period, apiCalls: row.added, periodTotal: row.total } };
        });
        await this.append(store, usageBatchStreamId(randomUUID()), events, group[0]!.actor, true);
        return fresh;
      });
      if (fresh.length > 0) this.service.notifyOutbox();
      const byRequest = new Map<PendingWrite, Set<string>>(group.map((request) => [request, new Set<string>()]));
      for (const id of fresh) byRequest.get(owner.get(id)!)!.add(id);
      for (const request of group) request.resolve(byRequest.get(request)!);
    } catch (error) {
      for (const request of group) request.reject(error);
    }
  }

  private async append(store: PostgresEventStore, stream: string, events: UsageEvent[], actor: ActorInfo, fresh = false): Promise<void> {
    if (events.length === 0) return;
    await store.appendToStream(
      stream,
      events.map((event) => ({ ...event, metadata: { actor } })),
      { expectedStreamVersion: fresh ? STREAM_DOES_NOT_EXIST : NO_CONCURRENCY_CHECK },
    );
  }

  /** Contract dates of the customers named by id or external key (one query). */
  async contracts(ids: readonly string[], keys: readonly string[], q: SqlQueryable = this.service.db): Promise<{ byId: Map<string, CustomerContract>; byKey: Map<string, CustomerContract> }> {
    const byId = new Map<string, CustomerContract>();
    const byKey = new Map<string, CustomerContract>();
    if (ids.length + keys.length === 0) return { byId, byKey };
    const result = await q.query<{ customer_id: string; external_key: string; start_date: string; end_date: string | null }>(
      `SELECT customer_id::text, external_key, start_date::text, end_date::text FROM ${this.t('customers')}
        WHERE customer_id = ANY($1::uuid[]) OR external_key = ANY($2::text[])`,
      [[...new Set(ids)], [...new Set(keys)]],
    );
    for (const row of result.rows) {
      const contract = { customerId: row.customer_id, externalKey: row.external_key, startDate: row.start_date, endDate: row.end_date };
      byId.set(row.customer_id, contract);
      byKey.set(row.external_key, contract);
    }
    return { byId, byKey };
  }

  /**
   * Sets monthly totals (the seed's monthly figures), atomically for the whole list:
   * - a new total → UsageRecorded (the total); the same total again → unchanged;
   * - a different total for a closed month → UsageCorrected (previous, new); for an open month,
   *   UsageRecorded (the difference) when higher, UsageCorrected when lower;
   * - a month past its close grace window (`graceDays` after its end) is closed at once
   *   (UsagePeriodClosed), as the 2017 BillProcess data arrives.
   */
  async setTotals(totals: readonly MonthlyTotal[], actor: ActorInfo, graceDays: number, now = new Date()): Promise<{ customerId: string; period: string; apiCalls: string; outcome: TotalOutcome; closed: boolean }[]> {
    const outcomes = await this.service.store.transaction(async (store, tx) => {
      const results = [];
      for (const total of totals) {
        const current = await tx.query<{ api_calls: string; closed: boolean }>(
          `SELECT api_calls::text, closed FROM ${this.t('usage_totals')} WHERE customer_id = $1 AND period = $2 FOR UPDATE`,
          [total.customerId, total.period],
        );
        const row = current.rows[0];
        const previous = row ? BigInt(row.api_calls) : undefined;
        let closed = row?.closed ?? false;
        const events: UsageEvent[] = [];
        const base = { customerId: total.customerId, period: total.period };
        let outcome: TotalOutcome = 'unchanged';
        if (previous === undefined) {
          events.push({ type: 'UsageRecorded', data: { ...base, apiCalls: total.apiCalls.toString(), periodTotal: total.apiCalls.toString() } });
          outcome = 'recorded';
        } else if (previous !== total.apiCalls) {
          if (closed || total.apiCalls < previous) {
            events.push({ type: 'UsageCorrected', data: { ...base, previousApiCalls: previous.toString(), apiCalls: total.apiCalls.toString() } });
            outcome = 'corrected';
          } else {
            events.push({ type: 'UsageRecorded', data: { ...base, apiCalls: (total.apiCalls - previous).toString(), periodTotal: total.apiCalls.toString() } });
            outcome = 'recorded';
          }
        }
        const closeNow = !closed && isPastGrace(total.period, now, graceDays);
        if (closeNow) {
          events.push({ type: 'UsagePeriodClosed', data: { ...base, apiCalls: total.apiCalls.toString() } });
          closed = true;
        }
        if (events.length > 0) {
          await tx.query(
            `INSERT INTO ${this.t('usage_totals')} AS t (customer_id, period, api_calls, closed, closed_at) VALUES ($1, $2, $3, $4, CASE WHEN $4 THEN now() END)
             ON CONFLICT (customer_id, period) DO UPDATE SET api_calls = EXCLUDED.api_calls, closed = EXCLUDED.closed,
               closed_at = COALESCE(t.closed_at, EXCLUDED.closed_at), updated_at = now()`,
            [total.customerId, total.period, total.apiCalls.toString(), closed],
          );
          await this.append(store, usagePeriodStreamId(total.customerId, total.period), events, actor);
        }
        results.push({ ...base, apiCalls: total.apiCalls.toString(), outcome, closed });
      }
      return results;
    });
    if (outcomes.some((o) => o.outcome !== 'unchanged') || outcomes.some((o) => o.closed)) this.service.notifyOutbox();
    return outcomes;
  }

  /**
   * Closes `period` for every customer whose contract covers it (or who has usage in it), or only for
   * `customerId`: UsagePeriodClosed with the period's total (0 without usage). Idempotent: a closed
   * period is not closed again.
   * @throws PeriodNotEnded 409 when the period has not ended at `now`; CustomerNotFound 404.
   */
  async closePeriod(period: string, actor: ActorInfo, options: { customerId?: string; now?: Date } = {}): Promise<{ period: string; closed: { customerId: string; apiCalls: string }[] }> {
    const now = options.now ?? new Date();
    if (now.toISOString().slice(0, 10) <= lastDayOf(period)) throw new PeriodNotEnded(period);
    if (options.customerId) {
      const found = await this.contracts([options.customerId], []);
      if (!found.byId.has(options.customerId)) throw new CustomerNotFound(options.customerId);
    }
    const closed = await this.service.store.transaction(async (store, tx) => {
      const only = options.customerId ? 'AND customer_id = $4::uuid' : '';
      const params: unknown[] = [period, firstDayOf(period), lastDayOf(period)];
      if (options.customerId) params.push(options.customerId);
      await tx.query(
        `INSERT INTO ${this.t('usage_totals')} (customer_id, period, api_calls)
         SELECT customer_id, $1, 0 FROM ${this.t('customers')}
          WHERE start_date <= $3::date AND (end_date IS NULL OR end_date >= $2::date) ${only}
          ORDER BY customer_id
         ON CONFLICT DO NOTHING`,
        params,
      );
      const updated = await tx.query<{ customer_id: string; api_calls: string }>(
        `UPDATE ${this.t('usage_totals')} SET closed = true, closed_at = now(), updated_at = now()
          WHERE period = $1 AND NOT closed ${options.customerId ? 'AND customer_id = $2::uuid' : ''}
          RETURNING customer_id::text, api_calls::text`,
        options.customerId ? [period, options.customerId] : [period],
      );
      for (const row of updated.rows) {
        await this.append(store, usagePeriodStreamId(row.customer_id, period), [{ type: 'UsagePeriodClosed', data: { customerId: row.customer_id, period, apiCalls: row.api_calls } }], actor);
      }
      return updated.rows.map((row) => ({ customerId: row.customer_id, apiCalls: row.api_calls }));
    });
    if (closed.length > 0) this.service.notifyOutbox();
    return { period, closed };
  }

  /**
   * The scheduler's work: closes every period past its grace window (open periods with usage, and
   * the last ended month for every customer under contract), then forgets event ids older than
   * {@link DEDUP_WINDOW_DAYS}. Returns the periods it closed something in.
   */
  async closeDuePeriods(graceDays: number, actor: ActorInfo, now = new Date()): Promise<string[]> {
    const open = await this.service.db.query<{ period: string }>(`SELECT DISTINCT period FROM ${this.t('usage_totals')} WHERE NOT closed ORDER BY period`);
    const lastEnded = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
    const candidates = new Set([...open.rows.map((r) => r.period), lastEnded]);
    const done: string[] = [];
    for (const period of [...candidates].sort()) {
      if (!isPastGrace(period, now, graceDays)) continue;
      const result = await this.closePeriod(period, actor, { now });
      if (result.closed.length > 0) done.push(period);
    }
    await this.service.db.query(`DELETE FROM ${this.t('usage_events')} WHERE received_at < $1::timestamptz`, [
      new Date(now.getTime() - DEDUP_WINDOW_DAYS * 86_400_000).toISOString(),
    ]);
    return done;
  }

  /**
   * Monthly totals page: by customer, and a period range (`from`/`to` `yyyy-mm`, inclusive), newest
   * customer name then period order. Items `{ customerId, customerName, period, year, month, apiUsage, closed }`.
   */
  async list(query: { customerId?: string; from?: string; to?: string; limit: number; offset: number }) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.customerId) {
      params.push(query.customerId);
      where.push(`t.customer_id = $${params.length}::uuid`);
    }
    if (query.from) {
      params.push(query.from);
      where.push(`t.period >= $${params.length}`);
    }
    if (query.to) {
      params.push(query.to);
      where.push(`t.period <= $${params.length}`);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const from = `${this.t('usage_totals')} t JOIN ${this.t('customers')} c ON c.customer_id = t.customer_id`;
    const count = await this.service.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${from} ${clause}`, params);
    const rows = await this.service.db.query<{ customer_id: string; name: string; period: string; api_calls: string; closed: boolean }>(
      `SELECT t.customer_id::text, c.name, t.period, t.api_calls::text, t.closed FROM ${from} ${clause}
        ORDER BY c.name, t.period LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.limit, query.offset],
    );
    return {
      items: rows.rows.map((row) => ({
        customerId: row.customer_id,
        customerName: row.name,
        period: row.period,
        year: Number(row.period.slice(0, 4)),
        month: Number(row.period.slice(5, 7)),
        apiUsage: Number(row.api_calls),
        closed: row.closed,
      })),
      total: Number(count.rows[0]!.n),
      limit: query.limit,
      offset: query.offset,
    };
  }

  /**
   * A customer's monthly series from `from` to `to` (inclusive, `yyyy-mm`; default: the 12 months up
   * to the current one): `{ period, apiCalls, limit, overageUnits, closed }` per month, with the
   * limit of the terms in force for that month. For the current open month it adds `projection`:
   * the month-end usage extrapolated LINEARLY from the calls so far and the elapsed fraction of the
   * month (`apiCalls × daysInMonth / elapsedDays`, elapsed counted in fractional days, at least one
   * hour), the projected overage units and their amount at the month's unit price
   * (`@billing/money` `lineAmount`, rounded once half-even).
   * @throws CustomerNotFound 404
   */
  async series(customerId: string, range: { from?: string; to?: string }, now = new Date()) {
    const customer = await this.service.db.query<{ terms_history: TermsEntry[] }>(`SELECT terms_history FROM ${this.t('customers')} WHERE customer_id = $1`, [customerId]);
    const history = customer.rows[0]?.terms_history;
    if (!history) throw new CustomerNotFound(customerId);
    const current = now.toISOString().slice(0, 7);
    const to = range.to ?? current;
    let from = range.from;
    if (!from) {
      from = to;
      for (let i = 0; i < 11; i++) from = new Date(Date.UTC(Number(from.slice(0, 4)), Number(from.slice(5, 7)) - 2, 1)).toISOString().slice(0, 7);
    }
    if (from > to) throw new RequestValidationError([{ field: 'from', message: 'must not be after to' }]);
    const rows = await this.service.db.query<{ period: string; api_calls: string; closed: boolean }>(
      `SELECT period, api_calls::text, closed FROM ${this.t('usage_totals')} WHERE customer_id = $1 AND period >= $2 AND period <= $3`,
      [customerId, from, to],
    );
    const byPeriod = new Map(rows.rows.map((row) => [row.period, row]));
    const items = [];
    let projection;
    let months = 0;
    for (let period = from; period <= to && months < 240; period = nextPeriod(period), months++) {
      const row = byPeriod.get(period);
      const apiCalls = row ? BigInt(row.api_calls) : 0n;
      const terms = termsInForce(history, period).terms;
      const limit = BigInt(terms.monthlyApiLimit);
      const overage = apiCalls > limit ? apiCalls - limit : 0n;
      const closed = row?.closed ?? false;
      items.push({ period, apiCalls: Number(apiCalls), limit: terms.monthlyApiLimit, overageUnits: Number(overage), closed });
      if (period === current && !closed) {
        const start = Date.parse(`${firstDayOf(period)}T00:00:00Z`);
        const elapsedDays = Math.max((now.getTime() - start) / 86_400_000, 1 / 24);
        const days = daysIn(period);
        // Integer arithmetic on the call count: elapsed time is scaled to milliseconds.
        const projected = (apiCalls * BigInt(days * 86_400_000)) / BigInt(Math.round(elapsedDays * 86_400_000));
        const projectedOverage = projected > limit ? projected - limit : 0n;
        const amount = lineAmount(projectedOverage, terms.overageUnitPrice, terms.currency);
        projection = {
          period,
          method: 'linear extrapolation by elapsed days',
          elapsedDays: Math.round(elapsedDays * 100) / 100,
          daysInMonth: days,
          apiCallsSoFar: Number(apiCalls),
          projectedApiCalls: Number(projected),
          projectedOverageUnits: Number(projectedOverage),
          projectedOverageAmount: { ...moneyToJson(amount), amount: formatMinor(amount.amountMinor, amount.currency) },
        };
      }
    }
    return { customerId, from, to, items, projection: projection ?? null };
  }

  /**
   * Resolves `{ customerId | customerName, year, month, apiUsage }` items to totals.
   * @throws RequestValidationError naming `<prefix>customerName`/`customerId` for unknown customers, `<prefix>month` for a future month.
   */
  async resolveTotals(items: readonly { customerId?: string; customerName?: string; year: number; month: number; apiUsage: bigint }[], prefix: (i: number) => string): Promise<MonthlyTotal[]> {
    const known = await this.contracts(
      items.flatMap((item) => (item.customerId ? [item.customerId] : [])),
      items.flatMap((item) => (item.customerName ? [item.customerName] : [])),
    );
    const errors: FieldError[] = [];
    const ids = items.map((item, i) => {
      const contract = item.customerId ? known.byId.get(item.customerId) : known.byKey.get(item.customerName!);
      if (!contract) errors.push({ field: `${prefix(i)}${item.customerId ? 'customerId' : 'customerName'}`, message: `unknown customer ${item.customerId ?? item.customerName}` });
      return contract?.customerId ?? '';
    });
    const current = new Date().toISOString().slice(0, 7);
    items.forEach((item, i) => {
      if (`${item.year}-${String(item.month).padStart(2, '0')}` > current) errors.push({ field: `${prefix(i)}month`, message: 'must not be a future month' });
    });
    if (errors.length > 0) throw new RequestValidationError(errors);
    return items.map((item, i) => ({ customerId: ids[i]!, period: `${item.year}-${String(item.month).padStart(2, '0')}`, apiCalls: item.apiUsage }));
  }
}

/** Whether `value` is a `yyyy-mm` period (re-export for the controllers' schemas). */
export { isPeriod };
