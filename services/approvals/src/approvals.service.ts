import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import { quoteIdentifier, type SqlQueryable, type SqlTransaction } from '@billing/database';
import { isExpectedVersionConflictError, type EventMetadata, type PostgresEventStore } from '@billing/event-store';
import { SERVICE_CONTEXT, type ServiceContext } from '@billing/service-kit';
import { effectivePolicy, type ApprovalPolicy, type PolicyStep } from './policy/policy.js';
import {
  approvalStreamId,
  decide,
  evolve,
  initialState,
  type ApprovalActor,
  type ApprovalCommand,
  type ApprovalEvent,
  type BillApprovals,
  type OpenApproval,
  type ProcessState,
} from './process/approval.decider.js';
import { CustomerNotFoundError } from './process/approval.errors.js';

/** Namespace of the approvals service's deterministic ids (UUID v5): a process id is v5(`<billId>/<submitActionId>`). */
export const APPROVALS_NAMESPACE = '8f0d3c52-5b57-4c57-9a39-6f6c1a0e4b21';

/** The deterministic id of the process a submission opens: the same in every topology and on redelivery. */
export const processIdOf = (billId: string, submitActionId: string): string => uuidv5(`${billId}/${submitActionId}`, APPROVALS_NAMESPACE);

/** Stream of a customer's custom approval policy (event `ApprovalPolicySet`, the last one wins). */
export const policyStreamId = (customerId: string): string => `approvalpolicy-${customerId}`;

/** What the service knows of a customer. */
export interface CustomerRow {
  customerId: string;
  name: string;
  csmUserId: string | null;
  requireCsmApproval: boolean;
}

/** A customer's policy as stored and as in force. */
export interface PolicyRecord {
  customerId: string;
  /** The custom steps, `null` when none were set (or they were cleared): then the policy follows the terms. */
  custom: PolicyStep[] | null;
  effective: ApprovalPolicy;
  updatedAt: string | null;
  updatedBy: { userId: string; name: string } | null;
}

/** A bill's submission as billing announced it (an {@link OpenApproval} without the policy and CSM lookups). */
export type Submission = Omit<OpenApproval['data'], 'policy' | 'csmUserId'>;

/** Where events of one command come from: the actor and the message that caused them. */
export interface CommandOrigin {
  actor: ApprovalActor;
  correlationId?: string;
  causationId?: string;
}

/**
 * The application layer of the approvals service: loads a bill's approvals stream, runs the decider,
 * appends the events with the version it loaded and updates the `approval_processes` read model in the
 * same transaction; reads customers, users and policies for the commands.
 */
@Injectable()
export class ApprovalsService {
  readonly #s: string;

  constructor(@Inject(SERVICE_CONTEXT) readonly context: ServiceContext) {
    this.#s = quoteIdentifier(context.schema);
  }

  /** Quoted schema, for SQL. */
  get s(): string {
    return this.#s;
  }

  /**
   * Runs `command` on bill `billId`'s approvals. Inside `tx` (a consumer's transaction) it appends once
   * (a version conflict throws, and the bus retries); otherwise it retries on version conflicts.
   * @returns the bill's approvals after the command and the events it produced
   * @throws the decider's DomainErrors
   */
  async execute(billId: string, command: ApprovalCommand, origin: CommandOrigin, tx?: SqlTransaction): Promise<{ state: BillApprovals; events: ApprovalEvent[] }> {
    const run = (store: PostgresEventStore, q: SqlQueryable) => this.#decideAndAppend(store, q, billId, command, origin);
    if (tx) return run(this.context.store.withTransaction(tx), tx);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.context.store.transaction((store, t) => run(store, t));
      } catch (error) {
        if (!isExpectedVersionConflictError(error) || attempt >= 5) throw error;
      }
    }
  }

  async #decideAndAppend(store: PostgresEventStore, q: SqlQueryable, billId: string, command: ApprovalCommand, origin: CommandOrigin) {
    const streamId = approvalStreamId(billId);
    const loaded = await store.aggregateStream<BillApprovals, ApprovalEvent>(streamId, { evolve, initialState });
    const events = decide(command, loaded.state);
    if (events.length === 0) return { state: loaded.state, events };
    const correlationId = origin.correlationId ?? randomUUID();
    const causationId = origin.causationId ?? correlationId;
    const actor = { userId: origin.actor.userId, role: origin.actor.role ?? 'none', name: origin.actor.name };
    await store.appendToStream(
      streamId,
      events.map((event) => ({ ...event, metadata: { correlationId, causationId, actor } satisfies EventMetadata })),
      { expectedStreamVersion: loaded.currentStreamVersion },
    );
    const state = events.reduce(evolve, loaded.state);
    const touched = new Set(events.map((event) => event.data.processId));
    for (const process of state.processes.filter((p) => touched.has(p.processId))) await this.#saveProcess(q, process);
    this.context.notifyOutbox();
    return { state, events };
  }

  /**
   * Opens the approval process of a submission with the customer's policy and CSM as they are now.
   * When the customer is not known yet (its CustomerRegistered, on another topic, was not consumed
   * yet), the submission is parked and opened by {@link releaseParked} when the customer arrives:
   * neither a retry that would block the consumer nor a process under the wrong policy.
   */
  async openForSubmission(submission: Submission, origin: CommandOrigin, tx: SqlTransaction): Promise<void> {
    await this.lockCustomer(submission.customerId, tx);
    const customer = await this.customer(submission.customerId, tx);
    if (customer === undefined) {
      await tx.query(
        `INSERT INTO ${this.#s}.parked_submissions (bill_id, submit_action_id, customer_id, submission, origin) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb)
         ON CONFLICT (bill_id, submit_action_id) DO NOTHING`,
        [submission.billId, submission.submitActionId, submission.customerId, JSON.stringify(submission), JSON.stringify(origin)],
      );
      return;
    }
    const policy = await this.policy(submission.customerId, tx);
    await this.execute(submission.billId, { type: 'OpenApproval', data: { ...submission, policy: policy.effective, csmUserId: customer.csmUserId } }, origin, tx);
  }

  /**
   * Serialises, until `tx` ends, the transactions that park or release submissions of one customer
   * (consumers of different topics run concurrently on PostgreSQL): without it a submission could be
   * parked just after the customer's release looked for parked ones.
   */
  async lockCustomer(customerId: string, tx: SqlTransaction): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${this.context.schema}.customer.${customerId}`]);
  }

  /**
   * Opens the processes of the submissions parked for `customerId`, oldest first. Call it, after
   * {@link lockCustomer}, in the transaction that makes the customer known.
   */
  async releaseParked(customerId: string, tx: SqlTransaction): Promise<void> {
    const parked = await tx.query<{ bill_id: string; submit_action_id: string; submission: Submission; origin: CommandOrigin }>(
      `DELETE FROM ${this.#s}.parked_submissions WHERE customer_id = $1 RETURNING bill_id, submit_action_id, submission, origin, parked_at`,
      [customerId],
    );
    const ordered = [...parked.rows].sort((a, b) => a.submission.now.localeCompare(b.submission.now));
    for (const row of ordered) await this.openForSubmission(row.submission, row.origin, tx);
  }

  /** Forgets the parked submissions of a bill (it was voided, or the submission reverted, before its customer arrived). */
  async dropParked(billId: string, tx: SqlTransaction, submitActionId?: string): Promise<void> {
    await tx.query(`DELETE FROM ${this.#s}.parked_submissions WHERE bill_id = $1 AND ($2::text IS NULL OR submit_action_id = $2)`, [billId, submitActionId ?? null]);
  }

  async #saveProcess(q: SqlQueryable, process: ProcessState): Promise<void> {
    await q.query(
      `INSERT INTO ${this.#s}.approval_processes (process_id, bill_id, generation, customer_id, status, opened_at, closed_at, process)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
       ON CONFLICT (process_id) DO UPDATE SET status = EXCLUDED.status, closed_at = EXCLUDED.closed_at, process = EXCLUDED.process`,
      [process.processId, process.billId, process.generation, process.customerId, process.status, process.openedAt, process.closedAt, JSON.stringify(process)],
    );
  }

  /** Every process of a bill, oldest first (empty when the bill was never submitted). */
  async processesOf(billId: string): Promise<ProcessState[]> {
    const result = await this.context.db.query<{ process: ProcessState }>(
      `SELECT process FROM ${this.#s}.approval_processes WHERE bill_id = $1 ORDER BY generation`,
      [billId],
    );
    return result.rows.map((row) => row.process);
  }

  /** The customer as known from customers.v1 events, or `undefined`. */
  async customer(customerId: string, q: SqlQueryable = this.context.db): Promise<CustomerRow | undefined> {
    const result = await q.query<{ customer_id: string; name: string; csm_user_id: string | null; require_csm_approval: boolean }>(
      `SELECT customer_id, name, csm_user_id, require_csm_approval FROM ${this.#s}.customers WHERE customer_id = $1`,
      [customerId],
    );
    const row = result.rows[0];
    return row && { customerId: row.customer_id, name: row.name, csmUserId: row.csm_user_id, requireCsmApproval: row.require_csm_approval };
  }

  /** Display names of users by id (unknown ids are absent). */
  async userNames(userIds: Iterable<string>): Promise<Map<string, string>> {
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return new Map();
    const result = await this.context.db.query<{ user_id: string; name: string }>(`SELECT user_id, name FROM ${this.#s}.users WHERE user_id = ANY($1::text[])`, [ids]);
    return new Map(result.rows.map((row) => [row.user_id, row.name]));
  }

  /**
   * The policy of a customer: its custom steps (last `ApprovalPolicySet` of its policy stream) and the
   * effective one. An unknown customer (no CustomerRegistered seen) gets the default unless custom steps were set.
   */
  async policy(customerId: string, q: SqlQueryable = this.context.db): Promise<PolicyRecord> {
    const store = q === this.context.db ? this.context.store : this.context.store.withTransaction(q as SqlTransaction);
    const read = await store.readStream(policyStreamId(customerId));
    const last = read.events.at(-1);
    const data = last?.data as { steps: PolicyStep[] | null } | undefined;
    const custom = data?.steps ?? null;
    const customer = await this.customer(customerId, q);
    return {
      customerId,
      custom,
      effective: effectivePolicy(custom, customer?.requireCsmApproval ?? false),
      updatedAt: last ? last.metadata.recordedAt.toISOString() : null,
      updatedBy: last?.metadata.actor ? { userId: last.metadata.actor.userId, name: last.metadata.actor.name ?? last.metadata.actor.userId } : null,
    };
  }

  /**
   * Sets (or, with `null`, clears) a customer's custom policy: appends `ApprovalPolicySet` to its policy
   * stream. Processes already open keep their snapshot; the policy applies from the next submission.
   * @throws CustomerNotFoundError (404) when the customer is unknown.
   */
  async setPolicy(customerId: string, steps: PolicyStep[] | null, actor: ApprovalActor): Promise<PolicyRecord> {
    if ((await this.customer(customerId)) === undefined) throw new CustomerNotFoundError(customerId);
    await this.context.store.appendToStream(policyStreamId(customerId), [
      { type: 'ApprovalPolicySet', data: { customerId, steps }, metadata: { actor: { userId: actor.userId, role: actor.role ?? 'none', name: actor.name } } },
    ]);
    return this.policy(customerId);
  }
}
