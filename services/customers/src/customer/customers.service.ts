import { Inject, Injectable } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import type { Principal } from '@billing/auth';
import { quoteIdentifier, type SqlQueryable } from '@billing/database';
import { isExpectedVersionConflictError, STREAM_DOES_NOT_EXIST, type PostgresEventStore } from '@billing/event-store';
import { SERVICE_CONTEXT, type ServiceContext } from '@billing/service-kit';
import {
  CustomerNotFound,
  customerStreamId,
  decide,
  evolve,
  initialState,
  termsInForce,
  type CsmCandidate,
  type CustomerCommand,
  type CustomerEvent,
  type CustomerSnapshot,
  type CustomerState,
  type Preferences,
  type TermsEntry,
} from './customer.decider.js';
import { ContractCache } from '../usage/contract-cache.js';
import { contractCoversPeriod, type ContractTerms } from './terms.js';

/**
 * Namespace of the customers service's UUID v5 ids: a customer's id is `uuidv5(name, CUSTOMER_ID_NAMESPACE)`,
 * so imports in both topologies (and re-imports) give every customer the same id.
 */
export const CUSTOMER_ID_NAMESPACE = '6f1c9a52-3b7e-5d2a-9c41-8e0f7b2d4a63';

/** The deterministic id of the customer named `name` (UUID v5, {@link CUSTOMER_ID_NAMESPACE}). */
export function customerIdOf(name: string): string {
  return uuidv5(name, CUSTOMER_ID_NAMESPACE);
}

/** Who acts, as stored in event metadata. */
export interface ActorInfo {
  userId: string;
  role: string;
  name?: string;
}

/** The actor of a request's principal. */
export function actorOf(user: Principal | undefined): ActorInfo {
  return user ? { userId: user.userId, role: user.role ?? 'none', name: user.name } : { userId: 'system', role: 'system', name: 'System' };
}

/** A customer as the API returns it. */
export interface CustomerView {
  customerId: string;
  externalKey: string;
  name: string;
  billingAddress: string;
  billingEmail: string;
  csmUserId: string | null;
  preferences: Preferences;
  /** Terms in force for the current month (or for `?period=`). */
  terms: ContractTerms;
  /** The terms history: each entry applies from `effectiveFrom` (yyyy-mm-dd) on. */
  termsHistory: TermsEntry[];
  version: number;
}

interface CustomerRow {
  customer_id: string;
  external_key: string;
  name: string;
  billing_address: string;
  billing_email: string;
  csm_user_id: string | null;
  preferences: Preferences;
  terms_history: TermsEntry[];
  version: string;
}

/** The current UTC period `yyyy-mm`. */
export function currentPeriod(now = new Date()): string {
  return now.toISOString().slice(0, 7);
}

/** Maps a read-model row to the API view, with the terms in force for `period`. */
export function toView(row: CustomerRow, period = currentPeriod()): CustomerView & { termsPeriod: string; inContract: boolean } {
  const inForce = termsInForce(row.terms_history, period);
  return {
    customerId: row.customer_id,
    externalKey: row.external_key,
    name: row.name,
    billingAddress: row.billing_address,
    billingEmail: row.billing_email,
    csmUserId: row.csm_user_id,
    preferences: row.preferences,
    terms: inForce.terms,
    termsPeriod: period,
    inContract: contractCoversPeriod(inForce.terms, period),
    termsHistory: row.terms_history,
    version: Number(row.version),
  };
}

const COLUMNS = `customer_id::text, external_key, name, billing_address, billing_email, csm_user_id, preferences, terms_history, version::text`;

/**
 * Customers: load → decide → append (expected version) → read model, in one transaction (design §3).
 */
@Injectable()
export class CustomersService {
  private readonly s: string;

  constructor(
    @Inject(SERVICE_CONTEXT) readonly service: ServiceContext,
    private readonly contracts: ContractCache,
  ) {
    this.s = quoteIdentifier(service.schema);
  }

  /** The schema-qualified name of one of the service's tables. */
  table(name: string): string {
    return `${this.s}.${name}`;
  }

  /** The user with id `userId` as a CSM candidate (`null` when unknown). */
  async csmById(userId: string, q: SqlQueryable = this.service.db): Promise<CsmCandidate> {
    const result = await q.query<{ user_id: string; name: string; role: string | null; active: boolean }>(
      `SELECT user_id, name, role, active FROM ${this.table('users')} WHERE user_id = $1`,
      [userId],
    );
    const row = result.rows[0];
    return row ? { userId: row.user_id, name: row.name, role: row.role, active: row.active } : null;
  }

  /**
   * The user named `name` as a CSM candidate: among users with that name, an active Customer Success
   * user first; `null` when nobody has that name.
   */
  async csmByName(name: string, q: SqlQueryable = this.service.db): Promise<CsmCandidate> {
    const result = await q.query<{ user_id: string; name: string; role: string | null; active: boolean }>(
      `SELECT user_id, name, role, active FROM ${this.table('users')} WHERE name = $1
        ORDER BY (active AND role = 'CustomerSuccess') DESC, user_id LIMIT 1`,
      [name],
    );
    const row = result.rows[0];
    return row ? { userId: row.user_id, name: row.name, role: row.role, active: row.active } : null;
  }

  /**
   * Runs a customer command in `store`'s transaction: folds the stream, decides, appends with the
   * version read and writes the read model. Retries a few times on a version conflict.
   * @returns the events appended (empty when the command changed nothing) and the new state.
   * @throws the decider's DomainErrors.
   */
  async execute(
    customerId: string,
    command: CustomerCommand | ((state: CustomerState, q: SqlQueryable) => Promise<CustomerCommand>),
    actor: ActorInfo,
    store: PostgresEventStore = this.service.store,
  ): Promise<{ events: CustomerEvent[]; state: CustomerState }> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await store.transaction(async (txStore, tx) => {
          const stream = customerStreamId(customerId);
          const { state, currentStreamVersion, streamExists } = await txStore.aggregateStream<CustomerState, CustomerEvent>(stream, {
            evolve,
            initialState,
          });
          const cmd = typeof command === 'function' ? await command(state, tx) : command;
          const events = decide(cmd, state);
          if (events.length === 0) return { events, state };
          const metadata = { actor };
          await txStore.appendToStream(
            stream,
            events.map((event) => ({ ...event, metadata })),
            { expectedStreamVersion: streamExists ? currentStreamVersion : STREAM_DOES_NOT_EXIST },
          );
          const next = events.reduce(evolve, state);
          await this.writeReadModel(tx, next, currentStreamVersion + BigInt(events.length));
          return { events, state: next };
        });
        if (result.events.length > 0) {
          this.contracts.clear();
          this.service.notifyOutbox();
        }
        return result;
      } catch (error) {
        if (isExpectedVersionConflictError(error) && attempt < 5) continue;
        throw error;
      }
    }
  }

  private async writeReadModel(q: SqlQueryable, state: CustomerState, version: bigint): Promise<void> {
    if (state.status !== 'registered') return;
    const latest = state.termsHistory.at(-1)!.terms;
    await q.query(
      `INSERT INTO ${this.table('customers')}
         (customer_id, external_key, name, billing_address, billing_email, csm_user_id, preferences, terms_history, start_date, end_date, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9::date, $10::date, $11)
       ON CONFLICT (customer_id) DO UPDATE SET
         name = EXCLUDED.name, billing_address = EXCLUDED.billing_address, billing_email = EXCLUDED.billing_email,
         csm_user_id = EXCLUDED.csm_user_id, preferences = EXCLUDED.preferences, terms_history = EXCLUDED.terms_history,
         start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date, version = EXCLUDED.version, updated_at = now()`,
      [
        state.customerId,
        state.externalKey,
        state.name,
        state.billingAddress,
        state.billingEmail,
        state.csmUserId,
        JSON.stringify(state.preferences),
        JSON.stringify(state.termsHistory),
        latest.startDate,
        latest.endDate,
        version.toString(),
      ],
    );
  }

  /**
   * One customer from the read model, with the terms in force for `period` (default: this month).
   * @throws CustomerNotFound (404)
   */
  async get(customerId: string, period?: string): Promise<ReturnType<typeof toView>> {
    const result = await this.service.db.query<CustomerRow>(`SELECT ${COLUMNS} FROM ${this.table('customers')} WHERE customer_id = $1`, [customerId]);
    const row = result.rows[0];
    if (!row) throw new CustomerNotFound(customerId);
    return toView(row, period);
  }

  /** The read-model snapshot of a customer, or undefined. */
  async snapshot(customerId: string, q: SqlQueryable = this.service.db): Promise<CustomerSnapshot | undefined> {
    const result = await q.query<CustomerRow>(`SELECT ${COLUMNS} FROM ${this.table('customers')} WHERE customer_id = $1`, [customerId]);
    const row = result.rows[0];
    return row
      ? {
          customerId: row.customer_id,
          externalKey: row.external_key,
          name: row.name,
          billingAddress: row.billing_address,
          billingEmail: row.billing_email,
          csmUserId: row.csm_user_id,
          preferences: row.preferences,
          termsHistory: row.terms_history,
        }
      : undefined;
  }

  /**
   * Customers page: `q` searches name, external key and billing e-mail (case-insensitive substring),
   * `csmUserId` filters by CSM; ordered by name.
   */
  async list(query: { q?: string; csmUserId?: string; limit: number; offset: number }): Promise<{ items: ReturnType<typeof toView>[]; total: number; limit: number; offset: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.q) {
      params.push(`%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(name ILIKE $${params.length} OR external_key ILIKE $${params.length} OR billing_email ILIKE $${params.length})`);
    }
    if (query.csmUserId) {
      params.push(query.csmUserId);
      where.push(`csm_user_id = $${params.length}`);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = await this.service.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${this.table('customers')} ${clause}`, params);
    const rows = await this.service.db.query<CustomerRow>(
      `SELECT ${COLUMNS} FROM ${this.table('customers')} ${clause} ORDER BY name, customer_id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.limit, query.offset],
    );
    return { items: rows.rows.map((row) => toView(row)), total: Number(total.rows[0]!.n), limit: query.limit, offset: query.offset };
  }
}
