import { deadLetterTopic, type BusMessage, type MessageBus, type RawMessageHandler, type Subscription } from './bus.js';
import { toDeadLetter, type DeadLetterErrorKind } from './dead-letter.js';
import { DecodeError, isRetryableError } from './errors.js';
import { AbortedError, delay, errorMessage } from './internal/async.js';

/** Retry policy of {@link ConsumerRunner}. Every field is optional; defaults in brackets. */
export interface RetryOptions {
  /** Attempts in all, the first included [5]; 1 means no retry. */
  attempts?: number;
  /** Back-off before the second attempt, in milliseconds [200]. */
  initialDelayMs?: number;
  /** Upper bound of any back-off, in milliseconds [30 000]. */
  maxDelayMs?: number;
  /** Growth of the back-off from one retry to the next [2]. */
  multiplier?: number;
  /**
   * Share of each back-off that is random, from 0 (none) to 1 (full jitter) [0.5]: the delay is
   * `base × (1 − jitter × random())`, so consumers that failed together do not retry together.
   */
  jitter?: number;
}

/** {@link RetryOptions} with every default filled in. */
export type RetryPolicy = Required<RetryOptions>;

/** The defaults of {@link RetryOptions}. */
export const defaultRetryPolicy: RetryPolicy = Object.freeze({
  attempts: 5,
  initialDelayMs: 200,
  maxDelayMs: 30_000,
  multiplier: 2,
  jitter: 0.5,
});

/**
 * Fills in and checks a retry policy.
 * @throws RangeError when `attempts` is not an integer ≥ 1, a delay is negative, `multiplier` < 1 or
 * `jitter` is outside [0, 1].
 */
export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const policy = { ...defaultRetryPolicy, ...stripUndefined(options) };
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1) throw new RangeError(`retry attempts must be an integer >= 1, got ${policy.attempts}`);
  if (!(policy.initialDelayMs >= 0) || !(policy.maxDelayMs >= 0)) throw new RangeError('retry delays must be >= 0');
  if (!(policy.multiplier >= 1)) throw new RangeError(`retry multiplier must be >= 1, got ${policy.multiplier}`);
  if (!(policy.jitter >= 0 && policy.jitter <= 1)) throw new RangeError(`retry jitter must be within [0, 1], got ${policy.jitter}`);
  return policy;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The back-off, in milliseconds, before retry number `retry` (1 = the wait after the first failure):
 * `min(maxDelayMs, initialDelayMs × multiplier^(retry−1)) × (1 − jitter × random())`.
 * @param random a source of numbers in [0, 1) (default `Math.random`).
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** Math.max(0, retry - 1));
  return Math.round(base * (1 - policy.jitter * random()));
}

/** Where a {@link ConsumerRunner} reports what it does. Defaults to `console`. */
export interface RunnerLogger {
  warn(message: string): void;
  error(message: string): void;
}

/** What {@link ConsumerRunnerOptions.onDeadLetter} is told about a message it gave up on. */
export interface DeadLetterFailure {
  /** The original message. */
  message: BusMessage;
  /** The last error thrown by the handler. */
  error: unknown;
  attempts: number;
  errorKind: DeadLetterErrorKind;
}

/** Options for {@link ConsumerRunner}. */
export interface ConsumerRunnerOptions {
  bus: MessageBus;
  /** The consumer group; its dead letters go to `deadLetterTopic(groupId)`. */
  groupId: string;
  topics: readonly string[];
  /** Where a new group starts (default true: the first retained message). */
  fromBeginning?: boolean;
  /** Handles one message; throws to have it retried (or dead-lettered). */
  handler: RawMessageHandler;
  retry?: RetryOptions;
  /** Whether an error is worth retrying (default {@link isRetryableError}); `false` dead-letters at once. */
  isRetryable?: (error: unknown) => boolean;
  /** Called after a dead letter was published (for metrics and alerts). */
  onDeadLetter?: (failure: DeadLetterFailure) => void;
  logger?: RunnerLogger;
  /** Source of randomness for the jitter (tests pass a fixed one). */
  random?: () => number;
  /**
   * Waits out a back-off of `ms` milliseconds, rejecting when `signal` aborts (default: a timer).
   * Tests pass one that records the delays instead of sleeping.
   */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Raised by {@link ConsumerRunner.handle} when the runner stops during a back-off: the message stays uncommitted. */
export class ConsumerStoppedError extends Error {
  constructor(groupId: string) {
    super(`consumer ${groupId} stopped before the message was handled`);
    this.name = 'ConsumerStoppedError';
  }
}

/**
 * Runs a handler for a consumer group with retries and dead letters, identically over every adapter.
 *
 * For each message: call the handler; when it throws a retryable error, wait {@link backoffDelay}
 * and try again, up to `retry.attempts` attempts in all. When the attempts run out, or the error is
 * not retryable ({@link isRetryableError} by default: a {@link DecodeError} or `retryable === false`),
 * publish a dead letter to `deadLetterTopic(groupId)` (the original key, value and headers plus the
 * `dlq-*` headers: origin topic/partition/offset, group, attempts, error message, error kind) and
 * resolve, so the offset is committed and later messages keep flowing. If publishing the dead letter
 * fails, {@link handle} throws: the adapter redelivers the message and the cycle starts again, so a
 * message is never dropped without a dead letter.
 */
export class ConsumerRunner {
  readonly groupId: string;
  /** `deadLetterTopic(groupId)`. */
  readonly deadLetterTopic: string;
  readonly #options: ConsumerRunnerOptions;
  readonly #policy: RetryPolicy;
  readonly #isRetryable: (error: unknown) => boolean;
  readonly #logger: RunnerLogger;
  #abort = new AbortController();
  #subscription: Subscription | undefined;

  /** @throws RangeError when the retry options are invalid (see {@link retryPolicy}). */
  constructor(options: ConsumerRunnerOptions) {
    this.#options = options;
    this.groupId = options.groupId;
    this.deadLetterTopic = deadLetterTopic(options.groupId);
    this.#policy = retryPolicy(options.retry);
    this.#isRetryable = options.isRetryable ?? isRetryableError;
    this.#logger = options.logger ?? console;
  }

  /**
   * Creates the topics and the dead-letter topic when missing, then joins the consumer group.
   * @throws Error when already started, or the bus's own errors.
   */
  async start(): Promise<void> {
    if (this.#subscription) throw new Error(`consumer ${this.groupId} already started`);
    this.#abort = new AbortController();
    await this.#options.bus.ensureTopics([...this.#options.topics, this.deadLetterTopic]);
    this.#subscription = await this.#options.bus.subscribe({
      groupId: this.groupId,
      topics: this.#options.topics,
      fromBeginning: this.#options.fromBeginning ?? true,
      handler: (message) => this.handle(message),
    });
  }

  /** Leaves the group: back-offs in progress are cut short (their messages stay uncommitted). Idempotent. */
  async stop(): Promise<void> {
    this.#abort.abort();
    const subscription = this.#subscription;
    this.#subscription = undefined;
    await subscription?.close();
  }

  /**
   * Handles one message with retries, dead-lettering it when they run out (see the class description).
   * Exposed so the runner can be composed into another subscription.
   * @throws ConsumerStoppedError when stopped during a back-off; the bus's error when the dead letter
   * cannot be published.
   */
  async handle(message: BusMessage): Promise<void> {
    const signal = this.#abort.signal;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#options.handler(message);
        return;
      } catch (error) {
        const retryable = this.#isRetryable(error);
        if (!retryable || attempt >= this.#policy.attempts) {
          const errorKind: DeadLetterErrorKind = error instanceof DecodeError ? 'decode' : retryable ? 'exhausted' : 'non-retryable';
          await this.#deadLetter(message, error, attempt, errorKind);
          return;
        }
        try {
          await (this.#options.sleep ?? delay)(backoffDelay(attempt, this.#policy, this.#options.random), signal);
          if (signal.aborted) throw new AbortedError();
        } catch (aborted) {
          if (aborted instanceof AbortedError) throw new ConsumerStoppedError(this.groupId);
          throw aborted;
        }
      }
    }
  }

  async #deadLetter(message: BusMessage, error: unknown, attempts: number, errorKind: DeadLetterErrorKind): Promise<void> {
    const letter = toDeadLetter(message, { groupId: this.groupId, attempts, error: errorMessage(error), errorKind });
    await this.#options.bus.publish(this.deadLetterTopic, [letter]);
    this.#logger.warn(
      `[${this.groupId}] dead-lettered ${message.topic}/${message.partition}@${message.offset} (${errorKind} after ${attempts} attempt(s)): ${errorMessage(error)}`,
    );
    this.#options.onDeadLetter?.({ message, error, attempts, errorKind });
  }
}
