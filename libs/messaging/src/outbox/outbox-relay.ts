import { GlobalLogConsumer, type PostgresEventStore, type RecordedEvent } from '@billing/event-store';
import { type MessageBus, type OutgoingMessage } from '../bus.js';

/** What one stored event becomes on the bus. */
export interface OutboxMessage {
  topic: string;
  message: OutgoingMessage;
}

/**
 * Maps a stored domain event to the integration event published for it, or `null` for an event
 * that stays private to the service. Must be deterministic: a replayed batch must produce the same
 * messages (same event id), so that consumers can deduplicate.
 */
export type OutboxMapper = (event: RecordedEvent) => OutboxMessage | null;

export interface OutboxRelayOptions {
  store: PostgresEventStore;
  bus: MessageBus;
  map: OutboxMapper;
  /** Checkpoint key (default `outbox-relay`). */
  consumerId?: string;
  /** Events per batch (default 500). */
  batchSize?: number;
  /** Poll interval once caught up, in milliseconds (default 200). */
  pollIntervalMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * The outbox relay (design §4): reads the service's committed events from its event store in
 * global-log order, publishes their integration events (key = stream id) and stores its checkpoint
 * only after the broker acknowledged the whole batch.
 *
 * Guarantees: nothing is published that was not committed (it reads committed rows only); nothing
 * committed is left unpublished (a crash before the checkpoint republishes the batch on restart, so
 * delivery is at-least-once and consumers deduplicate by event id). Order per stream is kept: one
 * batch is published topic by topic in log order, and a stream's events share a key.
 */
export class OutboxRelay {
  readonly #consumer: GlobalLogConsumer;

  constructor(private readonly options: OutboxRelayOptions) {
    this.#consumer = new GlobalLogConsumer(options.store, {
      consumerId: options.consumerId ?? 'outbox-relay',
      delivery: 'after-handler',
      batchSize: options.batchSize ?? 500,
      pollIntervalMs: options.pollIntervalMs ?? 200,
      handle: (events) => this.#publish(events),
      onError: options.onError ? (error) => options.onError!(error) : undefined,
    });
  }

  /** Events published (acknowledged) since this instance started. */
  get published(): number {
    return this.#consumer.processed;
  }

  /** The last publishing error, cleared by the next success (for /health). */
  get lastError(): unknown {
    return this.#consumer.lastError;
  }

  /** Starts relaying in the background. */
  start(): void {
    this.#consumer.start();
  }

  /** Publishes now instead of at the next poll (call after an append in this process). */
  notify(): void {
    this.#consumer.notify();
  }

  /** Publishes everything committed so far; resolves with the number of events read. */
  catchUp(): Promise<number> {
    return this.#consumer.catchUp();
  }

  /** Stops after the batch in flight. */
  stop(): Promise<void> {
    return this.#consumer.stop();
  }

  async #publish(events: RecordedEvent[]): Promise<void> {
    // Consecutive messages for one topic are sent together; a change of topic starts a new send,
    // so the overall log order is kept even across topics.
    let topic: string | undefined;
    let run: OutgoingMessage[] = [];
    for (const event of events) {
      const mapped = this.options.map(event);
      if (!mapped) continue;
      if (topic !== undefined && mapped.topic !== topic) {
        await this.options.bus.publish(topic, run);
        run = [];
      }
      topic = mapped.topic;
      run.push(mapped.message);
    }
    if (topic !== undefined && run.length > 0) await this.options.bus.publish(topic, run);
  }
}
