import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { quoteIdentifier, type SqlQueryable } from '@billing/database';
import { isExpectedVersionConflictError, STREAM_DOES_NOT_EXIST } from '@billing/event-store';
import { DomainError } from '@billing/platform';
import { SERVICE_CONTEXT, type ServiceContext } from '@billing/service-kit';
import { billIdOf, billStreamId, decideBill, evolveBill, initialBillState, type ActorJson, type BillEvent, type BillState } from '../bill/bill.decider.js';
import { BillError, periodInFuture } from '../bill/bill.errors.js';
import { isPeriodInFuture, type TermsJson } from '../bill/bill.rules.js';
import { emptyBatch, foldBillRun, writeReadModels, type BillRunState } from '../read-models/read-models.js';
import { table } from '../bill/bill.service.js';

/** The run of a period: deterministic, so starting it again finds the same run (idempotent). */
export const billRunIdOf = (period: string): string => `run-${period}`;
/** The stream of a run. */
export const billRunStreamId = (period: string): string => `bill-run-${period}`;

/** 404 `bill_run.not_found`. */
export const billRunNotFound = (runId: string) => new DomainError('bill_run.not_found', `bill run ${runId} does not exist`, { status: 404 });

/** A new bill stream for a bulk append: its id and events (version 1…n). */
export interface NewStream {
  streamId: string;
  events: { type: string; data: unknown; metadata: Record<string, unknown> }[];
}

/**
 * Creates many NEW streams in one statement (the bill run's batch append): each stream row is inserted
 * with `ON CONFLICT DO NOTHING`, and its events only when the row was created, so an existing bill (a
 * draft by hand, an earlier run, a concurrent writer) is left untouched and reported as not created.
 * Same tables and invariants as `PostgresEventStore.appendToStream` with `STREAM_DOES_NOT_EXIST`.
 * (Candidate for `@billing/event-store`: a batch append of new streams.)
 * @returns the ids of the streams it created
 */
export async function createStreams(tx: SqlQueryable, schema: string, streams: readonly NewStream[], streamType = 'bill'): Promise<Set<string>> {
  if (streams.length === 0) return new Set();
  const s = quoteIdentifier(schema);
  const heads = streams.map((st) => ({ stream_id: st.streamId, version: st.events.length }));
  const events = streams.flatMap((st) =>
    st.events.map((e, i) => ({ stream_id: st.streamId, stream_version: i + 1, event_id: randomUUID(), event_type: e.type, data: e.data, metadata: e.metadata })),
  );
  const result = await tx.query<{ stream_id: string }>(
    `WITH created AS (
       INSERT INTO ${s}.streams (stream_id, stream_type, version)
       SELECT h.stream_id, $3, h.version FROM jsonb_to_recordset($1::jsonb) AS h(stream_id text, version bigint)
       ON CONFLICT (stream_id) DO NOTHING
       RETURNING stream_id
     ), inserted AS (
       INSERT INTO ${s}.events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata)
       SELECT e.stream_id, e.stream_version, e.event_id, e.event_type, 1, e.data, e.metadata
         FROM jsonb_to_recordset($2::jsonb) AS e(stream_id text, stream_version bigint, event_id uuid, event_type text, data jsonb, metadata jsonb)
         JOIN created c ON c.stream_id = e.stream_id
        ORDER BY e.stream_id, e.stream_version
       RETURNING stream_id
     )
     SELECT stream_id FROM created`,
    [JSON.stringify(heads), JSON.stringify(events), streamType],
  );
  return new Set(result.rows.map((r) => r.stream_id));
}

/** Progress of a run as the API shows it. */
export function runOut(run: BillRunState) {
  return {
    runId: run.runId,
    period: run.period,
    status: run.status,
    total: run.total,
    processed: run.processed,
    drafted: run.drafted,
    skipped: run.skipped,
    failed: run.failed,
    startedBy: run.startedBy.userId,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
}

/**
 * Month-end bill runs (issue 5): an event-sourced process per period (stream `bill-run-<period>`, run id
 * `run-<period>`): `BillRunStarted { total }`, then one `BillRunBatchProcessed { cursor, processed,
 * drafted, skipped, failed }` per batch of customers (in customer id order), then `BillRunFinished`.
 * Each batch drafts its bills (the bill decider's generation rule, bulk-appended as new streams),
 * updates the read models and records its checkpoint in ONE transaction, so a crash loses at most the
 * batch in flight, which is redone on resume; unfinished runs resume when the service starts.
 * Skips are counted by reason: `no_usage`, `contract_inactive`, `grace_period`, `zero_amount`,
 * `already_exists`; `failed` counts customers whose data could not be billed (logged).
 */
@Injectable()
export class BillRunService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly #logger = new Logger('billing.bill-run');
  readonly #active = new Map<string, Promise<void>>();
  #stopping = false;
  /** Customers per batch (transaction). */
  batchSize = 1000;

  constructor(@Inject(SERVICE_CONTEXT) private readonly service: ServiceContext) {}

  /** Resumes unfinished runs in the background. */
  async onApplicationBootstrap(): Promise<void> {
    const rows = await this.service.db.query<{ period: string }>(`SELECT period FROM ${table(this.service.schema, 'bill_runs')} WHERE status = 'running'`);
    for (const row of rows.rows) this.#launch(row.period);
  }

  /** Stops after the batches in flight. */
  async beforeApplicationShutdown(): Promise<void> {
    this.#stopping = true;
    await Promise.allSettled([...this.#active.values()]);
  }

  /**
   * Starts the run of `period` (or finds it: idempotent) and processes it in the background.
   * @returns the run's progress and whether this call created it
   * @throws 422 `bill.period_in_future` when the month has not ended at `at`.
   */
  async start(period: string, actor: ActorJson, at: string): Promise<{ run: BillRunState; created: boolean }> {
    if (isPeriodInFuture(period, at)) throw periodInFuture(period);
    const existing = await this.get(billRunIdOf(period));
    if (existing) {
      if (existing.status === 'running') this.#launch(period);
      return { run: existing, created: false };
    }
    const s = this.service.schema;
    try {
      const run = await this.service.store.transaction(async (store, tx) => {
        const count = await tx.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table(s, 'customers')}`);
        const started = { type: 'BillRunStarted', data: { runId: billRunIdOf(period), period, total: Number(count.rows[0]!.n), actor, at }, metadata: { actor } };
        await store.appendToStream(billRunStreamId(period), [started], { expectedStreamVersion: STREAM_DOES_NOT_EXIST });
        const state = foldBillRun(null, started)!;
        await writeReadModels(tx, s, { ...emptyBatch(), run: [state] });
        return state;
      });
      this.#launch(period);
      return { run, created: true };
    } catch (error) {
      if (!isExpectedVersionConflictError(error)) throw error;
      return { run: (await this.get(billRunIdOf(period)))!, created: false };
    }
  }

  /** The run's progress (read model), or undefined. */
  async get(runId: string): Promise<BillRunState | undefined> {
    const period = runId.replace(/^run-/, '');
    const read = await this.service.store.readStream(billRunStreamId(period));
    return read.events.reduce<BillRunState | null>(foldBillRun, null) ?? undefined;
  }

  /** Resolves when the run of `period` is no longer processed by this process (tests, CLI-less callers). */
  async settled(period: string): Promise<void> {
    await this.#active.get(period);
  }

  #launch(period: string): void {
    if (this.#active.has(period)) return;
    const work = this.#process(period)
      .catch((error: unknown) => this.#logger.error(`bill run ${period} stopped: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => this.#active.delete(period));
    this.#active.set(period, work);
  }

  async #process(period: string): Promise<void> {
    while (!this.#stopping) {
      const more = await this.processBatch(period);
      if (!more) return;
    }
  }

  /**
   * Processes the next batch of the run of `period` in one transaction (see the class comment).
   * @returns false when the run is finished (or another process advanced it).
   */
  async processBatch(period: string): Promise<boolean> {
    const s = this.service.schema;
    const streamId = billRunStreamId(period);
    try {
      const more = await this.service.store.transaction(async (store, tx) => {
        const read = await store.readStream(streamId);
        const run = read.events.reduce<BillRunState | null>(foldBillRun, null);
        if (!run || run.status === 'finished') return false;
        const at = new Date().toISOString();
        const customers = await tx.query<{ customer_id: string; terms: TermsJson[] | null; api_calls: string | null }>(
          `SELECT c.customer_id,
                  (SELECT jsonb_agg(t.terms ORDER BY t.effective_from) FROM ${table(s, 'customer_terms')} t WHERE t.customer_id = c.customer_id) AS terms,
                  u.api_calls::text AS api_calls
             FROM (SELECT customer_id FROM ${table(s, 'customers')} WHERE customer_id > $1 ORDER BY customer_id LIMIT $3) c
             LEFT JOIN ${table(s, 'usage_totals')} u ON u.customer_id = c.customer_id AND u.period = $2
            ORDER BY c.customer_id`,
          [run.cursor ?? '', period, this.batchSize],
        );
        if (customers.rows.length === 0) {
          const finished = { type: 'BillRunFinished', data: { runId: run.runId, at }, metadata: { actor: run.startedBy } };
          await store.appendToStream(streamId, [finished], { expectedStreamVersion: read.currentStreamVersion });
          await writeReadModels(tx, s, { ...emptyBatch(), run: [foldBillRun(run, finished)!] });
          return false;
        }
        const skipped: Record<string, number> = {};
        const skip = (reason: string) => (skipped[reason] = (skipped[reason] ?? 0) + 1);
        let failed = 0;
        const drafts: { state: BillState; events: BillEvent[] }[] = [];
        for (const c of customers.rows) {
          const billId = billIdOf(c.customer_id, period);
          try {
            const events = decideBill(
              { type: 'DraftBill', data: { billId, actor: run.startedBy, at, customerId: c.customer_id, period, termsHistory: c.terms, usageApiCalls: c.api_calls, allowZero: false, comment: `bill run ${run.runId}` } },
              initialBillState(),
            );
            drafts.push({ state: events.reduce(evolveBill, initialBillState()), events });
          } catch (error) {
            if (error instanceof BillError) skip(error.code === 'bill.usage_not_closed' ? 'no_usage' : error.code.replace(/^bill\./, ''));
            else {
              failed += 1;
              this.#logger.warn(`bill run ${period}: customer ${c.customer_id} failed: ${error instanceof Error ? error.message : String(error)}`);
            }
          }
        }
        const created = await createStreams(
          tx,
          s,
          drafts.map((d) => ({
            streamId: billStreamId(d.state.draft!.billId),
            events: d.events.map((e) => ({ type: e.type, data: e.data, metadata: { actor: run.startedBy, currency: d.state.draft!.currency, correlationId: undefined } })),
          })),
        );
        const createdStates = drafts.filter((d) => created.has(billStreamId(d.state.draft!.billId))).map((d) => d.state);
        for (let i = createdStates.length; i < drafts.length; i++) skip('already_exists');
        const batch = {
          type: 'BillRunBatchProcessed',
          data: { runId: run.runId, cursor: customers.rows.at(-1)!.customer_id, processed: customers.rows.length, drafted: createdStates.length, skipped, failed, at },
          metadata: { actor: run.startedBy },
        };
        await store.appendToStream(streamId, [batch], { expectedStreamVersion: read.currentStreamVersion });
        await writeReadModels(tx, s, { ...emptyBatch(), bill: createdStates, run: [foldBillRun(run, batch)!] });
        return true;
      });
      this.service.notifyOutbox();
      return more;
    } catch (error) {
      if (isExpectedVersionConflictError(error)) return false; // another process advances this run
      throw error;
    }
  }

  /** Every run, newest period first. */
  async list(limit: number, offset: number): Promise<{ items: ReturnType<typeof runOut>[]; total: number }> {
    const s = this.service.schema;
    const rows = await this.service.db.query<{ period: string }>(`SELECT period FROM ${table(s, 'bill_runs')} ORDER BY period DESC LIMIT $1 OFFSET $2`, [limit, offset]);
    const total = await this.service.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table(s, 'bill_runs')}`);
    const items: ReturnType<typeof runOut>[] = [];
    for (const row of rows.rows) {
      const run = await this.get(billRunIdOf(row.period));
      if (run) items.push(runOut(run));
    }
    return { items, total: Number(total.rows[0]!.n) };
  }
}
