/**
 * Stable error codes of the contracts codec:
 * - `contract.decode_failed`: the bytes are not a valid integration event (not protobuf, a missing or
 *   malformed envelope field, a payload that does not match its declared type);
 * - `contract.unknown_type`: the event type (or its package) is not one this build knows;
 * - `contract.invalid_event`: an event to encode is incomplete or malformed (a producer bug).
 */
export type ContractErrorCode = 'contract.decode_failed' | 'contract.unknown_type' | 'contract.invalid_event';

/** What a {@link ContractError} knows about the event it failed on. */
export interface ContractErrorDetails {
  /** The underlying error (e.g. the protobuf reader's). */
  cause?: unknown;
  /** The event's id, when it could be read. */
  eventId?: string;
  /** The event's fully-qualified type, when it could be read. */
  eventType?: string;
}

/**
 * Base class of every error raised by `@billing/contracts`. `code` is stable (see
 * {@link ContractErrorCode}); `message` is for humans and may change.
 */
export class ContractError extends Error {
  /** Stable machine-readable code. */
  readonly code: ContractErrorCode;
  /** The event's id, when known. */
  readonly eventId: string | undefined;
  /** The event's fully-qualified type, when known. */
  readonly eventType: string | undefined;

  constructor(code: ContractErrorCode, message: string, details: ContractErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ContractError';
    this.code = code;
    this.eventId = details.eventId;
    this.eventType = details.eventType;
  }
}

/**
 * Raised by `decodeIntegrationEvent` when a message cannot be decoded. Decoding the same bytes again
 * always fails the same way, so a consumer should dead-letter the message instead of retrying it.
 * `code` is `contract.decode_failed` or `contract.unknown_type`.
 */
export class ContractDecodeError extends ContractError {
  declare readonly code: 'contract.decode_failed' | 'contract.unknown_type';

  constructor(code: 'contract.decode_failed' | 'contract.unknown_type', message: string, details: ContractErrorDetails = {}) {
    super(code, message, details);
    this.name = 'ContractDecodeError';
  }
}
