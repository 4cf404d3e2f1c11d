import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { BaseRpcContext, Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom, throwError, type Observable } from 'rxjs';
import type { SqlExecutor, SqlTransaction } from '@billing/database';
import type { BusMessage, MessageBus } from '../bus.js';
import { ConsumerRunner, type DeadLetterFailure, type RetryOptions, type RunnerLogger } from '../consumer-runner.js';
import { DecodeError } from '../errors.js';
import { handleOnce, migrateProcessedMessages } from '../idempotent-consumer.js';
import { errorMessage } from '../internal/async.js';

/** What `decode` must at least produce: the event's unique id and its fully qualified type. */
export interface DecodedEvent {
  /** Unique per event; the idempotency key. */
  eventId: string;
  /** Fully qualified event type, the `@EventPattern`, e.g. `customers.v1.UsagePeriodClosed`. */
  type: string;
}

/** The arguments a {@link BusContext} carries: the raw message, the decoded event, the transaction if any. */
export type BusContextArgs<E extends DecodedEvent = DecodedEvent> = [message: BusMessage, event: E, transaction: SqlTransaction | undefined];

/**
 * The context of an event handler run by {@link BusTransport}; get it with `@Ctx()`.
 * ```ts
 * @EventPattern<string>('customers.v1.UsagePeriodClosed')
 * async onClosed(@Payload() event: UsagePeriodClosed, @Ctx() ctx: BusContext) {
 *   await ctx.getTransaction().query('INSERT INTO billing.drafts …', […]);
 * }
 * ```
 * Typing note: NestJS 12 gives `@EventPattern('literal')` an overload that requires every parameter
 * after the payload to accept `unknown`, which a `BusContext` parameter does not; the explicit
 * `<string>` selects the plain `MethodDecorator` overload (same metadata, same behaviour). Handlers
 * without a context parameter can use the bare form.
 */
export class BusContext<E extends DecodedEvent = DecodedEvent> extends BaseRpcContext<BusContextArgs<E>> {
  /** The message as the bus delivered it (topic, partition, offset, key, headers, bytes). */
  getMessage(): BusMessage {
    return this.args[0];
  }

  /** The decoded event (also the handler's payload). */
  getEnvelope(): E {
    return this.args[1];
  }

  /**
   * The transaction in which the event is being recorded as processed: write the handler's effects
   * with it so that they commit (or roll back) together with the deduplication record.
   * @throws Error when the transport was created without `idempotency` (there is no transaction).
   */
  getTransaction(): SqlTransaction {
    const tx = this.args[2];
    if (!tx) throw new Error('BusContext.getTransaction(): the BusTransport has no idempotency { db, schema }, so handlers run outside any transaction');
    return tx;
  }
}

/** Options of {@link BusTransport}. */
export interface BusTransportOptions<E extends DecodedEvent = DecodedEvent> {
  bus: MessageBus;
  /** The consumer group: the service name. Dead letters go to `deadLetterTopic(groupId)`. */
  groupId: string;
  /** The topic an event type travels on, e.g. `customers.v1.UsagePeriodClosed` → `customers.usage-events.v1`. */
  topicOf: (type: string) => string;
  /**
   * Decodes a message into an event ({@link DecodedEvent} plus payload), which becomes the handler's
   * payload. Any error it throws (or a result without `eventId`/`type`) dead-letters the message as a
   * {@link DecodeError}, at once: decoding again would fail again.
   */
  decode: (message: BusMessage) => E | Promise<E>;
  /**
   * When given, every handler runs inside {@link handleOnce} on this database: once per (group, event
   * id), in one transaction with the dedup record (see {@link BusContext.getTransaction}). The
   * `processed_messages` table is created on `listen` unless `migrate` is false.
   */
  idempotency?: { db: SqlExecutor; schema: string; migrate?: boolean };
  /** Retries before dead-lettering (see {@link ConsumerRunner}). */
  retry?: RetryOptions;
  /** Which handler errors are worth retrying (default: all but `retryable === false` and decode errors). */
  isRetryable?: (error: unknown) => boolean;
  /** Where the group starts the first time (default true: the first retained message). */
  fromBeginning?: boolean;
  /** Default: the transport's Nest logger. */
  logger?: RunnerLogger;
  onDeadLetter?: (failure: DeadLetterFailure) => void;
  /**
   * The Nest transport id (default {@link BUS_TRANSPORT}). Handlers declared with a transport
   * (`@EventPattern(type, id)`) are registered only on the transport with that id, so several
   * services' transports can run in one application (the embedded runtime); use
   * {@link busTransportFor} to name a service's transport.
   */
  transportId?: symbol;
}

/**
 * The transport id of the {@link BusTransport} that consumes for `groupId` (a service name). Declare
 * a service's handlers with it so that, when several services share one Nest application, each
 * handler runs only in its own service's consumer group:
 * `@EventPattern<string>('identity.v1.SessionRevoked', busTransportFor('billing'))`.
 */
export function busTransportFor(groupId: string): symbol {
  return Symbol.for(`@billing/messaging/bus-transport/${groupId}`);
}

/** The transport id of {@link BusTransport}, for `@EventPattern(type, BUS_TRANSPORT)` in hybrid applications. */
export const BUS_TRANSPORT: unique symbol = Symbol.for('@billing/messaging/bus-transport');

/**
 * Keeps the original error of an event handler. Nest's default RPC exception filter replaces any error
 * that is not an `RpcException` with `{ status: 'error', message: 'Internal server error' }`, which
 * would hide the message from the dead letter and a `retryable: false` flag from the retry policy.
 * Register it on microservices using {@link BusTransport}: `app.useGlobalFilters(new BusExceptionFilter())`.
 */
@Catch()
export class BusExceptionFilter implements RpcExceptionFilter<unknown> {
  /** Rethrows `exception` unchanged (as an erroring observable, as Nest expects). */
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * A NestJS microservice transport over a {@link MessageBus}: services declare handlers with
 * `@EventPattern('<fully qualified event type>')` and never know which adapter (Kafka, memory) runs.
 *
 * On `listen`, it subscribes the consumer group `groupId` to the topics of every declared event type
 * (`topicOf`), through a {@link ConsumerRunner} (retries with back-off, then the dead-letter topic).
 * For each message: `decode` it (failure: dead letter, never a crash loop); find the handler of its
 * `type` (none: the message is committed and ignored, since topics carry several types); run the
 * handler with the event as payload and a {@link BusContext}, inside {@link handleOnce} when
 * `idempotency` is set, awaiting returned promises and observables. A handler error is retried and
 * finally dead-lettered. Register {@link BusExceptionFilter} so handler errors reach the runner intact.
 * `close` leaves the group; the bus itself belongs to the caller and stays open.
 *
 * ```ts
 * const app = await NestFactory.createMicroservice(BillingModule, {
 *   strategy: new BusTransport({ bus, groupId: 'billing', topicOf, decode, idempotency: { db, schema: 'billing' } }),
 * });
 * app.useGlobalFilters(new BusExceptionFilter());
 * await app.listen();
 * ```
 */
export class BusTransport<E extends DecodedEvent = DecodedEvent> extends Server implements CustomTransportStrategy {
  /** Event handler failures are awaited and surfaced to the runner (retries, dead letters), not just logged. */
  override readonly propagatesEventHandlerErrors = true;
  readonly options: BusTransportOptions<E>;
  #runner: ConsumerRunner | undefined;

  constructor(options: BusTransportOptions<E>) {
    super();
    this.options = options;
    this.transportId = options.transportId ?? BUS_TRANSPORT;
  }

  /** Subscribes the group (see the class description); calls `callback()` when running, `callback(error)` if it cannot start. */
  listen(callback: (...optionalParams: unknown[]) => unknown): void {
    this.#start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  /** Leaves the consumer group, letting running handlers finish. The bus stays open. */
  async close(): Promise<void> {
    const runner = this.#runner;
    this.#runner = undefined;
    await runner?.stop();
    this._status$.next('disconnected');
  }

  /** Not supported: the transport emits no events (its `status` observable reports connected/disconnected). */
  on(): never {
    throw new Error('BusTransport does not emit events; subscribe to its status instead');
  }

  /** The underlying {@link MessageBus}. */
  unwrap<T>(): T {
    return this.options.bus as T;
  }

  /** The event types that have a handler, i.e. the registered `@EventPattern`s. */
  eventTypes(): string[] {
    return [...this.messageHandlers.keys()];
  }

  /**
   * Decodes and dispatches one message (what the runner calls for each delivery).
   * @throws DecodeError when decoding fails; the handler's error.
   */
  async handleMessage(message: BusMessage): Promise<void> {
    const event = await this.#decode(message);
    const handler = this.getHandlerByPattern(event.type);
    if (!handler) return;
    const idempotency = this.options.idempotency;
    if (!idempotency) {
      await this.#invoke(handler, event, new BusContext<E>([message, event, undefined]));
      return;
    }
    await handleOnce(idempotency.db, { schema: idempotency.schema, groupId: this.options.groupId, eventId: event.eventId }, (tx) =>
      this.#invoke(handler, event, new BusContext<E>([message, event, tx])),
    );
  }

  async #start(): Promise<void> {
    if (this.#runner) return;
    const patterns = [...this.messageHandlers.entries()];
    const requestHandlers = patterns.filter(([, handler]) => !handler.isEventHandler).map(([pattern]) => pattern);
    if (requestHandlers.length > 0) {
      throw new Error(`BusTransport handles events only (@EventPattern); remove @MessagePattern handlers for: ${requestHandlers.join(', ')}`);
    }
    if (patterns.length === 0) {
      this.logger.log(`BusTransport: no @EventPattern handler; consumer group ${this.options.groupId} not started`);
      this._status$.next('connected');
      return;
    }
    const topics = [...new Set(patterns.map(([pattern]) => this.options.topicOf(pattern)))];
    const idempotency = this.options.idempotency;
    if (idempotency && idempotency.migrate !== false) await migrateProcessedMessages(idempotency.db, idempotency.schema);
    const runner = new ConsumerRunner({
      bus: this.options.bus,
      groupId: this.options.groupId,
      topics,
      fromBeginning: this.options.fromBeginning ?? true,
      handler: (message) => this.handleMessage(message),
      retry: this.options.retry,
      isRetryable: this.options.isRetryable,
      onDeadLetter: this.options.onDeadLetter,
      logger: this.options.logger ?? { warn: (m) => this.logger.warn(m), error: (m) => this.logger.error(m) },
    });
    await runner.start();
    this.#runner = runner;
    this._status$.next('connected');
  }

  async #decode(message: BusMessage): Promise<E> {
    let event: E;
    try {
      event = await this.options.decode(message);
    } catch (error) {
      if (error instanceof DecodeError) throw error;
      throw new DecodeError(`cannot decode ${message.topic}/${message.partition}@${message.offset}: ${errorMessage(error)}`, { cause: error });
    }
    if (typeof event !== 'object' || event === null || typeof event.eventId !== 'string' || event.eventId === '' || typeof event.type !== 'string' || event.type === '') {
      throw new DecodeError(`decoded ${message.topic}/${message.partition}@${message.offset} has no eventId or type`);
    }
    return event;
  }

  /** Runs a Nest handler between the processing hooks and waits for its promise or observable. */
  #invoke(handler: MessageHandler, event: E, context: BusContext<E>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.onProcessingStartHook(BUS_TRANSPORT, context, async () => {
        const end = this.createProcessingEndHookRunner(context);
        try {
          const result: unknown = await handler(event, context);
          if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
          resolve();
        } catch (error) {
          reject(unmasked(error));
        } finally {
          end();
        }
      });
    });
  }
}

/** Nest's default filter turns errors into `{ status: 'error', message }`; make that a readable Error at least. */
function unmasked(error: unknown): unknown {
  if (error instanceof Error || typeof error !== 'object' || error === null || (error as { status?: unknown }).status !== 'error') return error;
  return new Error(
    `event handler failed: ${errorMessage(error)} (Nest's default exception filter hid the original error; register BusExceptionFilter to keep it)`,
  );
}
