import { quoteIdentifier, type Migration, type SqlQueryable } from '@billing/database';
import { BILL_EVENT_TYPES, evolveBill, initialBillState, type BillState } from '../bill/bill.decider.js';
import type { TermsJson } from '../bill/bill.rules.js';

/**
 * The billing service's read models. Every one of them is a function of ONE stream of the service's own
 * event store, so they can be rebuilt from zero in any stream order (replay) and end identical:
 * - `bills` (the dashboard list) ← `bill-<billId>` streams (BillActions);
 * - `bill_runs` ← `bill-run-<period>` streams (month-end runs);
 * - `customers` + `customer_terms` ← `customer-<id>` streams (facts recorded from `customers.v1` events);
 * - `usage_totals` ← `usage-<customerId>-<period>` streams (closed usage totals and corrections);
 * - `users` ← `user-<id>` streams (facts recorded from `identity.v1` events, for actor names).
 * Times are stored as the ISO 8601 strings of the events (never `now()`), counts and amounts as bigint.
 */
export const billingMigrations: readonly Migration[] = [
  {
    id: 'billing_001_read_models',
    sql: `
      CREATE TABLE {schema}.customers (
        customer_id text PRIMARY KEY, name text NOT NULL, csm_user_id text, registered_at text NOT NULL
      );
      CREATE TABLE {schema}.customer_terms (
        customer_id text NOT NULL, effective_from text NOT NULL, terms jsonb NOT NULL, PRIMARY KEY (customer_id, effective_from)
      );
      CREATE TABLE {schema}.usage_totals (
        customer_id text NOT NULL, period text NOT NULL, api_calls bigint NOT NULL, previous_api_calls bigint,
        corrected boolean NOT NULL, closed_at text NOT NULL, PRIMARY KEY (customer_id, period)
      );
      CREATE TABLE {schema}.users (user_id text PRIMARY KEY, name text NOT NULL, role text NOT NULL);
      CREATE INDEX users_by_name ON {schema}.users (name);
      CREATE TABLE {schema}.bills (
        bill_id text PRIMARY KEY, customer_id text NOT NULL, period text NOT NULL, status text NOT NULL,
        currency text NOT NULL, unit_price text NOT NULL, usage_api_calls bigint NOT NULL, included_api_calls bigint NOT NULL,
        overage_units bigint NOT NULL, amount_minor bigint NOT NULL, version bigint NOT NULL, drafted_by text NOT NULL,
        drafted_at text NOT NULL, updated_at text NOT NULL, usage_corrected boolean NOT NULL
      );
      CREATE INDEX bills_by_period ON {schema}.bills (period, bill_id);
      CREATE INDEX bills_by_customer ON {schema}.bills (customer_id, period);
      CREATE TABLE {schema}.bill_runs (
        run_id text PRIMARY KEY, period text NOT NULL, status text NOT NULL, total integer NOT NULL, processed integer NOT NULL,
        drafted integer NOT NULL, skipped jsonb NOT NULL, failed integer NOT NULL, cursor text, started_by text NOT NULL,
        started_at text NOT NULL, finished_at text, version bigint NOT NULL
      )
    `,
  },
];

/** The read-model tables, in the order replay empties them. */
export const READ_MODEL_TABLES = ['bills', 'bill_runs', 'customers', 'customer_terms', 'usage_totals', 'users'] as const;

/** Minimal event shape the projections need. */
export interface ProjectedEvent {
  type: string;
  data: unknown;
}

// ---------------------------------------------------------------------------------------------
// Fact streams recorded from other contexts' integration events.

/** A customer as billing knows it. */
export interface CustomerState {
  customerId: string;
  name: string;
  csmUserId: string | null;
  registeredAt: string;
  terms: TermsJson[];
}
/** A closed usage total. */
export interface UsageState {
  customerId: string;
  period: string;
  apiCalls: string;
  previousApiCalls: string | null;
  corrected: boolean;
  closedAt: string;
}
/** A user as billing knows it (for actor names). */
export interface UserState {
  userId: string;
  name: string;
  role: string;
}

/** A month-end bill run's progress (see `bill-run/`). */
export interface BillRunState {
  runId: string;
  period: string;
  status: 'running' | 'finished';
  total: number;
  processed: number;
  drafted: number;
  skipped: Record<string, number>;
  failed: number;
  /** Last customer id processed (batches go in customer id order). */
  cursor: string | null;
  startedBy: { userId: string; role: string; name: string };
  startedAt: string;
  finishedAt: string | null;
  version: number;
}

type Fold<S> = (state: S | null, event: ProjectedEvent) => S | null;

export const foldCustomer: Fold<CustomerState> = (state, event) => {
  const d = event.data as Record<string, unknown>;
  switch (event.type) {
    case 'CustomerRegistered':
      return { customerId: String(d.customerId), name: String(d.name), csmUserId: (d.csmUserId as string | null) ?? null, registeredAt: String(d.at), terms: [d.terms as TermsJson] };
    case 'CustomerTermsChanged': {
      if (!state) return state;
      const terms = d.terms as TermsJson;
      return { ...state, terms: [...state.terms.filter((t) => t.effectiveFrom !== terms.effectiveFrom), terms] };
    }
    case 'CsmAssigned':
      return state ? { ...state, csmUserId: String(d.csmUserId) } : state;
    default:
      return state;
  }
};

export const foldUsage: Fold<UsageState> = (state, event) => {
  const d = event.data as Record<string, string>;
  switch (event.type) {
    case 'UsagePeriodClosed':
      return { customerId: d.customerId!, period: d.period!, apiCalls: d.apiCalls!, previousApiCalls: null, corrected: false, closedAt: d.at! };
    case 'UsageCorrected':
      return {
        customerId: d.customerId!,
        period: d.period!,
        apiCalls: d.apiCalls!,
        previousApiCalls: d.previousApiCalls!,
        corrected: true,
        closedAt: state?.closedAt ?? d.at!,
      };
    default:
      return state;
  }
};

export const foldUser: Fold<UserState> = (state, event) => {
  const d = event.data as Record<string, string>;
  switch (event.type) {
    case 'UserRegistered':
      return { userId: d.userId!, name: d.name!, role: d.role! };
    case 'UserRoleChanged':
      return state ? { ...state, role: d.role! } : state;
    default:
      return state;
  }
};

export const foldBillRun: Fold<BillRunState> = (state, event) => {
  const d = event.data as Record<string, unknown>;
  switch (event.type) {
    case 'BillRunStarted':
      return {
        runId: String(d.runId),
        period: String(d.period),
        status: 'running',
        total: Number(d.total),
        processed: 0,
        drafted: 0,
        skipped: {},
        failed: 0,
        cursor: null,
        startedBy: d.actor as BillRunState['startedBy'],
        startedAt: String(d.at),
        finishedAt: null,
        version: 1,
      };
    case 'BillRunBatchProcessed': {
      if (!state) return state;
      const skipped = { ...state.skipped };
      for (const [reason, count] of Object.entries(d.skipped as Record<string, number>)) skipped[reason] = (skipped[reason] ?? 0) + count;
      return {
        ...state,
        processed: state.processed + Number(d.processed),
        drafted: state.drafted + Number(d.drafted),
        failed: state.failed + Number(d.failed),
        skipped,
        cursor: String(d.cursor),
        version: state.version + 1,
      };
    }
    case 'BillRunFinished':
      return state ? { ...state, status: 'finished', finishedAt: String(d.at), version: state.version + 1 } : state;
    default:
      return state;
  }
};

/** The read model a stream feeds, from its name. */
export type StreamKind = 'bill' | 'run' | 'customer' | 'usage' | 'user' | 'other';

export function streamKindOf(streamId: string): StreamKind {
  if (streamId.startsWith('bill-run-')) return 'run';
  if (streamId.startsWith('bill-')) return 'bill';
  if (streamId.startsWith('customer-')) return 'customer';
  if (streamId.startsWith('usage-')) return 'usage';
  if (streamId.startsWith('user-')) return 'user';
  return 'other';
}

const BILL_TYPES = new Set<string>(BILL_EVENT_TYPES);

/** Folds one stream's events into the state its read model is written from. */
export function foldStream(kind: StreamKind, events: readonly ProjectedEvent[]): unknown {
  switch (kind) {
    case 'bill': {
      let state = initialBillState();
      for (const event of events) if (BILL_TYPES.has(event.type)) state = evolveBill(state, event);
      return state;
    }
    case 'run':
      return events.reduce<BillRunState | null>(foldBillRun, null);
    case 'customer':
      return events.reduce<CustomerState | null>(foldCustomer, null);
    case 'usage':
      return events.reduce<UsageState | null>(foldUsage, null);
    case 'user':
      return events.reduce<UserState | null>(foldUser, null);
    default:
      return null;
  }
}

/** States of many streams, grouped per read model, to write in bulk. */
export interface ReadModelBatch {
  bill: BillState[];
  run: BillRunState[];
  customer: CustomerState[];
  usage: UsageState[];
  user: UserState[];
}

export const emptyBatch = (): ReadModelBatch => ({ bill: [], run: [], customer: [], usage: [], user: [] });

/** Adds a folded stream state to a batch. */
export function addToBatch(batch: ReadModelBatch, kind: StreamKind, state: unknown): void {
  if (state === null || kind === 'other') return;
  if (kind === 'bill') {
    if ((state as BillState).draft !== null) batch.bill.push(state as BillState);
  } else (batch[kind] as unknown[]).push(state);
}

/** The `bills` row of a bill state. */
export function billRow(state: BillState): Record<string, unknown> {
  const draft = state.draft!;
  const last = state.actions.at(-1)!;
  return {
    bill_id: draft.billId,
    customer_id: draft.customerId,
    period: draft.period,
    status: state.view.status,
    currency: draft.currency,
    unit_price: state.view.unitPrice,
    usage_api_calls: draft.usageApiCalls,
    included_api_calls: draft.includedApiCalls,
    overage_units: draft.overageUnits,
    amount_minor: state.view.amountMinor,
    version: state.version,
    drafted_by: draft.actor.userId,
    drafted_at: draft.at,
    updated_at: last.data.at,
    usage_corrected: state.view.usageCorrection !== null,
  };
}

async function upsert(tx: SqlQueryable, schema: string, table: string, key: string[], columns: Record<string, string>, rows: Record<string, unknown>[], insertOnly = false): Promise<void> {
  if (rows.length === 0) return;
  const names = Object.keys(columns);
  const s = quoteIdentifier(schema);
  const update = names.filter((n) => !key.includes(n)).map((n) => `${n} = EXCLUDED.${n}`);
  await tx.query(
    `INSERT INTO ${s}.${table} (${names.join(', ')})
     SELECT ${names.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${names.map((n) => `${n} ${columns[n]}`).join(', ')})
     ${insertOnly ? '' : `ON CONFLICT (${key.join(', ')}) DO ${update.length > 0 ? `UPDATE SET ${update.join(', ')}` : 'NOTHING'}`}`,
    [JSON.stringify(rows)],
  );
}

const BILL_COLUMNS = {
  bill_id: 'text',
  customer_id: 'text',
  period: 'text',
  status: 'text',
  currency: 'text',
  unit_price: 'text',
  usage_api_calls: 'bigint',
  included_api_calls: 'bigint',
  overage_units: 'bigint',
  amount_minor: 'bigint',
  version: 'bigint',
  drafted_by: 'text',
  drafted_at: 'text',
  updated_at: 'text',
  usage_corrected: 'boolean',
};

/**
 * Writes the rows of a batch of stream states (upserts; a customer's terms are replaced). Used both by
 * the live write paths (same transaction as the append) and by replay, so both give identical rows.
 * `insertOnly` (replay into emptied tables, each stream written once) skips the conflict handling of bills.
 */
export async function writeReadModels(tx: SqlQueryable, schema: string, batch: ReadModelBatch, options: { insertOnly?: boolean } = {}): Promise<void> {
  const s = quoteIdentifier(schema);
  await upsert(tx, schema, 'bills', ['bill_id'], BILL_COLUMNS, batch.bill.map(billRow), options.insertOnly);
  await upsert(
    tx,
    schema,
    'bill_runs',
    ['run_id'],
    {
      run_id: 'text',
      period: 'text',
      status: 'text',
      total: 'integer',
      processed: 'integer',
      drafted: 'integer',
      skipped: 'jsonb',
      failed: 'integer',
      cursor: 'text',
      started_by: 'text',
      started_at: 'text',
      finished_at: 'text',
      version: 'bigint',
    },
    batch.run.map((r) => ({
      run_id: r.runId,
      period: r.period,
      status: r.status,
      total: r.total,
      processed: r.processed,
      drafted: r.drafted,
      skipped: r.skipped,
      failed: r.failed,
      cursor: r.cursor,
      started_by: r.startedBy.userId,
      started_at: r.startedAt,
      finished_at: r.finishedAt,
      version: r.version,
    })),
  );
  await upsert(
    tx,
    schema,
    'customers',
    ['customer_id'],
    { customer_id: 'text', name: 'text', csm_user_id: 'text', registered_at: 'text' },
    batch.customer.map((c) => ({ customer_id: c.customerId, name: c.name, csm_user_id: c.csmUserId, registered_at: c.registeredAt })),
  );
  if (batch.customer.length > 0) {
    await tx.query(`DELETE FROM ${s}.customer_terms WHERE customer_id = ANY($1::text[])`, [batch.customer.map((c) => c.customerId)]);
    await upsert(
      tx,
      schema,
      'customer_terms',
      ['customer_id', 'effective_from'],
      { customer_id: 'text', effective_from: 'text', terms: 'jsonb' },
      batch.customer.flatMap((c) => c.terms.map((t) => ({ customer_id: c.customerId, effective_from: t.effectiveFrom, terms: t }))),
    );
  }
  await upsert(
    tx,
    schema,
    'usage_totals',
    ['customer_id', 'period'],
    { customer_id: 'text', period: 'text', api_calls: 'bigint', previous_api_calls: 'bigint', corrected: 'boolean', closed_at: 'text' },
    batch.usage.map((u) => ({
      customer_id: u.customerId,
      period: u.period,
      api_calls: u.apiCalls,
      previous_api_calls: u.previousApiCalls,
      corrected: u.corrected,
      closed_at: u.closedAt,
    })),
  );
  await upsert(tx, schema, 'users', ['user_id'], { user_id: 'text', name: 'text', role: 'text' }, batch.user.map((u) => ({ user_id: u.userId, name: u.name, role: u.role })));
}
