import { Header, type BusHeaders, type BusMessage, type OutgoingMessage } from './bus.js';

/**
 * Why a message was dead-lettered (the `dlq-error-kind` header):
 * - `decode`: it could not be decoded (a {@link DecodeError}), tried once;
 * - `non-retryable`: the handler threw an error marked non-retryable, tried once;
 * - `exhausted`: the handler kept throwing until the retry attempts ran out.
 */
export type DeadLetterErrorKind = 'decode' | 'non-retryable' | 'exhausted';

/** A dead letter read back from a dead-letter topic. */
export interface DeadLetter {
  /** The original message's key and value, unchanged. */
  key: string;
  value: Uint8Array;
  /** The original message's headers, without the `dlq-*` ones. */
  headers: BusHeaders;
  originalTopic: string;
  originalPartition: number;
  /** Decimal string. */
  originalOffset: string;
  /** The consumer group that gave up. */
  failedGroup: string;
  /** Attempts made before giving up (≥ 1). */
  attempts: number;
  /** The last error's message. */
  error: string;
  /** Normally a {@link DeadLetterErrorKind}; kept as a string since letters may come from other versions. */
  errorKind: string;
  /** The dead letter itself, as read from the dead-letter topic. */
  message: BusMessage;
}

const DLQ_PREFIX = 'dlq-';
/** Error messages longer than this are cut, so one huge message cannot make the letter unpublishable. */
const MAX_ERROR_LENGTH = 2000;

/** Headers without the `dlq-*` ones a previous dead-lettering may have added. */
export function withoutDeadLetterHeaders(headers: BusHeaders): BusHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith(DLQ_PREFIX)));
}

/**
 * The dead letter for `message`: the original key, value and headers plus the `dlq-*` headers of
 * {@link Header} (origin, failed group, attempts, error message, error kind).
 */
export function toDeadLetter(
  message: BusMessage,
  failure: { groupId: string; attempts: number; error: string; errorKind: DeadLetterErrorKind },
): OutgoingMessage {
  const error = failure.error.length > MAX_ERROR_LENGTH ? `${failure.error.slice(0, MAX_ERROR_LENGTH)}…` : failure.error;
  return {
    key: message.key,
    value: message.value,
    headers: {
      ...withoutDeadLetterHeaders(message.headers),
      [Header.originalTopic]: message.topic,
      [Header.originalPartition]: String(message.partition),
      [Header.originalOffset]: message.offset,
      [Header.failedGroup]: failure.groupId,
      [Header.attempts]: String(failure.attempts),
      [Header.error]: error,
      [Header.errorKind]: failure.errorKind,
    },
  };
}

/**
 * Reads a message of a dead-letter topic back into a {@link DeadLetter}.
 * @returns undefined when the message lacks the `dlq-original-topic` header (not a dead letter).
 */
export function parseDeadLetter(message: BusMessage): DeadLetter | undefined {
  const h = message.headers;
  const originalTopic = h[Header.originalTopic];
  if (!originalTopic) return undefined;
  return {
    key: message.key,
    value: message.value,
    headers: withoutDeadLetterHeaders(h),
    originalTopic,
    originalPartition: Number(h[Header.originalPartition] ?? -1),
    originalOffset: h[Header.originalOffset] ?? '',
    failedGroup: h[Header.failedGroup] ?? '',
    attempts: Number(h[Header.attempts] ?? 0),
    error: h[Header.error] ?? '',
    errorKind: h[Header.errorKind] ?? '',
    message,
  };
}
