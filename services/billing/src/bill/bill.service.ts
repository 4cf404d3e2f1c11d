import { Inject, Injectable } from '@nestjs/common';
import { quoteIdentifier, type SqlQueryable } from '@billing/database';
import { isExpectedVersionConflictError, type PostgresEventStore } from '@billing/event-store';
import { SERVICE_CONTEXT, type ServiceContext } from '@billing/service-kit';
import { concurrentUpdate, versionMismatch } from './bill.errors.js';
import { billStreamId, decideBill, evolveBill, initialBillState, type BillCommand, type BillEvent, type BillState } from './bill.decider.js';
import { emptyBatch, foldStream, streamKindOf, writeReadModels, type ProjectedEvent } from '../read-models/read-models.js';

/** A bill command without its bill id (given separately). */
export type BillCommandFor<C extends BillCommand = BillCommand> = C extends unknown ? { type: C['type']; data: Omit<C['data'], 'billId'> } : never;

/** Result of a handled bill command: the new state and stream version (the `ETag`). */
export interface BillCommandResult {
  state: BillState;
  version: number;
  events: BillEvent[];
}

/**
 * Runs bill commands: load the stream, decide, append with the loaded version and update the `bills`
 * read model, all in one transaction (so a read after a write sees it, and replay gives the same rows).
 * Concurrency (design §3): with `expectedVersion` (from `If-Match`) a different current version is 412
 * `bill.version_mismatch`, also when another writer wins the race; without it a conflict is retried
 * once on fresh state, then answered 409 `bill.concurrent_update`.
 */
@Injectable()
export class BillCommands {
  constructor(@Inject(SERVICE_CONTEXT) private readonly service: ServiceContext) {}

  get store(): PostgresEventStore {
    return this.service.store;
  }

  /**
   * @throws BillError from the decider; 412/409 as above.
   */
  async execute(billId: string, command: BillCommandFor, expectedVersion?: bigint, within?: { store: PostgresEventStore; tx: SqlQueryable }): Promise<BillCommandResult> {
    const full = { type: command.type, data: { ...command.data, billId } } as BillCommand;
    for (let attempt = 0; ; attempt++) {
      try {
        const run = async (store: PostgresEventStore, tx: SqlQueryable): Promise<BillCommandResult> => {
          const streamId = billStreamId(billId);
          const loaded = await store.aggregateStream(streamId, { evolve: evolveBill, initialState: initialBillState });
          if (expectedVersion !== undefined && expectedVersion !== loaded.currentStreamVersion) throw versionMismatch(expectedVersion, loaded.currentStreamVersion);
          const events = decideBill(full, loaded.state);
          const currency = loaded.state.draft?.currency ?? (events[0]!.data as { currency?: string }).currency;
          await store.appendToStream(streamId, events.map((e) => ({ type: e.type, data: e.data as unknown as Record<string, unknown>, metadata: { actor: e.data.actor, currency } })), { expectedStreamVersion: loaded.currentStreamVersion });
          const state = events.reduce(evolveBill, loaded.state);
          await writeReadModels(tx, this.service.schema, { ...emptyBatch(), bill: [state] });
          return { state, version: state.version, events };
        };
        const result = within ? await run(within.store, within.tx) : await this.store.transaction(run);
        this.service.notifyOutbox();
        return result;
      } catch (error) {
        if (!isExpectedVersionConflictError(error)) throw error;
        if (expectedVersion !== undefined) {
          const current = await this.store.readStream(billStreamId(billId), { maxCount: 0n });
          throw versionMismatch(expectedVersion, current.currentStreamVersion);
        }
        if (attempt >= 1) throw concurrentUpdate(billId);
      }
    }
  }

  /** The bill's state at version `to` (or now), with the stream's current version. */
  async load(billId: string, to?: bigint): Promise<{ state: BillState; currentVersion: bigint }> {
    const result = await this.store.aggregateStream(billStreamId(billId), {
      evolve: evolveBill,
      initialState: initialBillState,
      ...(to !== undefined ? { read: { to } } : {}),
    });
    return { state: result.state, currentVersion: result.currentStreamVersion };
  }

  /** Every stored event of the bill, with the time the store recorded it. */
  async history(billId: string): Promise<{ event: BillEvent; version: number; recordedAt: string }[]> {
    const read = await this.store.readStream(billStreamId(billId));
    return read.events.map((e) => ({ event: { type: e.type, data: e.data } as unknown as BillEvent, version: Number(e.metadata.streamPosition), recordedAt: e.metadata.recordedAt.toISOString() }));
  }
}

/**
 * Records a fact learned from another context's integration event in the service's own store (stream
 * `customer-…`, `usage-…`, `user-…`) and refreshes the read model it feeds, in the consumer's
 * transaction. Keeping the facts as events is what lets replay rebuild every read model from zero.
 */
export async function recordFact(
  service: ServiceContext,
  tx: SqlQueryable,
  streamId: string,
  event: ProjectedEvent & { metadata?: Record<string, unknown> },
): Promise<void> {
  const store = service.store.withTransaction(tx);
  await store.appendToStream(streamId, [event as { type: string; data: Record<string, unknown> }]);
  await refreshStream(store, tx, service.schema, streamId);
}

/** Re-folds one stream and writes its read-model rows. */
export async function refreshStream(store: PostgresEventStore, tx: SqlQueryable, schema: string, streamId: string): Promise<void> {
  const kind = streamKindOf(streamId);
  const read = await store.readStream(streamId);
  const state = foldStream(kind, read.events);
  const batch = emptyBatch();
  if (state !== null && kind !== 'other') (batch[kind] as unknown[]).push(state);
  await writeReadModels(tx, schema, batch);
}

/** `"schema".table`. */
export const table = (schema: string, name: string): string => `${quoteIdentifier(schema)}.${name}`;
