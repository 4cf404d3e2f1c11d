/**
 * Raised when a message cannot be decoded into an event (malformed bytes, unknown envelope version,
 * missing event id…). Never retryable: decoding the same bytes again gives the same result, so
 * {@link ConsumerRunner} dead-letters such a message on its first failure.
 */
export class DecodeError extends Error {
  /** Always `false`: see {@link isRetryableError}. */
  readonly retryable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DecodeError';
  }
}

/**
 * An error the handler knows will fail again however often it is retried (a business rule violated
 * by the event itself, say): dead-lettered on its first failure. Any error with `retryable === false`
 * is treated the same way, so domain code need not import this class.
 */
export class NonRetryableError extends Error {
  readonly retryable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetryableError';
  }
}

/**
 * The default retry predicate of {@link ConsumerRunner}: `false` for a {@link DecodeError} and for any
 * object whose `retryable` property is `false`; `true` for everything else (transient until proven
 * otherwise).
 */
export function isRetryableError(error: unknown): boolean {
  if (error instanceof DecodeError) return false;
  return !(typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === false);
}
