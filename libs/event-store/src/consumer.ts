import { type SqlTransaction } from '@billing/database';
import { type PostgresEventStore, type RecordedEvent, positionOf } from './postgres-event-store.js';

/**
 * How a global-log consumer pairs its effect with its checkpoint:
 * - `transactional`: the handler runs inside the transaction that stores the checkpoint, with a
 *   store bound to it. Database effects (projections, new events, processed ids) happen exactly
 *   once: a crash rolls back effect and checkpoint together.
 * - `after-handler`: the handler runs first (e.g. publishing to a broker), then the checkpoint is
 *   stored. At-least-once: a crash between the two repeats the batch, so receivers deduplicate by
 *   event id. The outbox relay uses this mode.
 */
export type ConsumerDelivery = 'transactional' | 'after-handler';

export interface ConsumerContext {
  /** The store; in `transactional` delivery, bound to the batch's transaction. */
  store: PostgresEventStore;
  /** The batch's transaction (`transactional` delivery only). */
  tx?: SqlTransaction;
}

export interface GlobalLogConsumerOptions {
  /** Stable, unique per store: the checkpoint's key (e.g. `outbox-relay`, `bill-summary-projection`). */
  consumerId: string;
  delivery: ConsumerDelivery;
  /** Handles one batch, in global-log order. Throwing leaves the checkpoint where it was. */
  handle: (events: RecordedEvent[], context: ConsumerContext) => Promise<void>;
  /** Events per batch (default 500). */
  batchSize?: number;
  /** Wait between polls once caught up, in milliseconds (default 200). */
  pollIntervalMs?: number;
  /** Called when a batch fails; the batch is retried with back-off (default: console.error). */
  onError?: (error: unknown, consumerId: string) => void;
}

/**
 * A checkpointed consumer of a store's global log: reads batches after its checkpoint (see
 * {@link PostgresEventStore.readAll} for why no late-committed event is skipped), hands them to
 * its handler and stores the new checkpoint. Restarting it resumes from the checkpoint.
 */
export class GlobalLogConsumer {
  readonly #options: Required<Omit<GlobalLogConsumerOptions, 'onError'>> & Pick<GlobalLogConsumerOptions, 'onError'>;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #processed = 0;
  #lastError: unknown;

  constructor(
    private readonly store: PostgresEventStore,
    options: GlobalLogConsumerOptions,
  ) {
    this.#options = { batchSize: 500, pollIntervalMs: 200, ...options };
  }

  get consumerId(): string {
    return this.#options.consumerId;
  }

  /** Events handled since this instance started. */
  get processed(): number {
    return this.#processed;
  }

  /** The last batch error, cleared by the next successful batch (for health checks). */
  get lastError(): unknown {
    return this.#lastError;
  }

  get running(): boolean {
    return this.#running;
  }

  /**
   * Reads and handles one batch.
   * @returns how many events it handled (0 when caught up)
   * @throws whatever the handler or the database threw; the checkpoint did not move then
   */
  async processBatch(): Promise<number> {
    const { consumerId, batchSize, handle, delivery } = this.#options;
    if (delivery === 'transactional') {
      return this.store.transaction(async (store, tx) => {
        // One batch at a time per consumer, even across processes: the lock is held until commit.
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`consumer:${store.schema}:${consumerId}`]);
        const checkpoint = await store.readCheckpoint(consumerId);
        const events = await store.readAll(checkpoint, batchSize);
        if (events.length === 0) return 0;
        await handle(events, { store, tx });
        await store.storeCheckpoint(consumerId, positionOf(events.at(-1)!));
        this.#processed += events.length;
        return events.length;
      });
    }
    const checkpoint = await this.store.readCheckpoint(consumerId);
    const events = await this.store.readAll(checkpoint, batchSize);
    if (events.length === 0) return 0;
    await handle(events, { store: this.store });
    await this.store.storeCheckpoint(consumerId, positionOf(events.at(-1)!));
    this.#processed += events.length;
    return events.length;
  }

  /**
   * Handles batches until the log is exhausted.
   * @param onProgress called after each batch with the running total (progress bars)
   * @returns how many events it handled
   */
  async catchUp(onProgress?: (handled: number) => void): Promise<number> {
    let total = 0;
    for (let handled = await this.processBatch(); handled > 0; handled = await this.processBatch()) {
      total += handled;
      onProgress?.(total);
    }
    return total;
  }

  /** Starts polling in the background. Errors are reported and retried with back-off (≤ 5 s). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Wakes a sleeping poll loop (e.g. right after an append in this process). */
  notify(): void {
    this.#wake?.();
  }

  /** Stops polling after the batch in progress; resolves when stopped. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (this.#running) {
      let handled = 0;
      try {
        handled = await this.processBatch();
        failures = 0;
        this.#lastError = undefined;
      } catch (error) {
        failures += 1;
        this.#lastError = error;
        (this.#options.onError ?? defaultOnError)(error, this.#options.consumerId);
      }
      if (!this.#running) break;
      if (handled >= this.#options.batchSize && failures === 0) continue;
      const delay = failures > 0 ? Math.min(5000, 100 * 2 ** Math.min(failures, 6)) : this.#options.pollIntervalMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }
}

function defaultOnError(error: unknown, consumerId: string): void {
  console.error(`[event-store] consumer ${consumerId} failed a batch; retrying`, error);
}
