import { STATUS_CODES } from 'node:http';
import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { throwError, type Observable } from 'rxjs';

/** The media type of every error response (RFC 9457). */
export const PROBLEM_JSON = 'application/problem+json';

/** One invalid field of a request, as listed in `errors` of a 400 `request.invalid` problem. */
export interface FieldError {
  /** Dotted path of the field, e.g. `email` or `lines.0.amount` (the parameter name for a route/query parameter). */
  field: string;
  message: string;
}

/**
 * An RFC 9457 problem details body, as every error response of the platform carries it
 * (`Content-Type: application/problem+json`).
 */
export interface ProblemDetails {
  /** `urn:billing:problem:<code>` for platform codes, `about:blank` for plain HTTP errors. */
  type: string;
  /** Short, human-readable summary of the problem type (the HTTP reason phrase unless the error sets one). */
  title: string;
  /** The HTTP status code. */
  status: number;
  /** Explanation of this occurrence, safe to show to the client. */
  detail: string;
  /** The request path that produced it (without query string). */
  instance: string;
  /** Stable machine-readable code clients branch on, e.g. `bill.not_found`, `request.invalid`, `internal`. */
  code: string;
  /** Per-field errors, for validation problems. */
  errors?: FieldError[];
}

const CODE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

/** Options of {@link DomainError}. */
export interface DomainErrorOptions {
  /** HTTP status the error maps to (400–599). Default 422 (a business rule refused the request). */
  status?: number;
  /** Problem title. Default: the status' reason phrase. */
  title?: string;
  /** Per-field errors to include in the problem. */
  errors?: readonly FieldError[];
  /** The underlying error, kept for logs only (never sent to clients). */
  cause?: unknown;
}

/**
 * Base class of errors a service raises on purpose: each carries a stable `code`
 * (`<context>.<reason>`, lowercase, e.g. `bill.not_found`), an HTTP `status` and a client-safe
 * message. {@link ProblemDetailsFilter} turns it into a problem with that status, code and `detail:
 * message`. Subclass it per error:
 * `class BillNotFound extends DomainError { constructor(id: string) { super('bill.not_found', \`bill ${id} does not exist\`, { status: 404 }); } }`
 * @throws TypeError when `code` is not dotted lowercase words or `status` is not 400–599.
 */
export class DomainError extends Error {
  readonly status: number;
  readonly title: string;
  readonly errors: readonly FieldError[] | undefined;

  constructor(
    readonly code: string,
    message: string,
    options: DomainErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const status = options.status ?? 422;
    if (!CODE.test(code)) throw new TypeError(`DomainError code "${code}" must be dotted lowercase words, e.g. bill.not_found`);
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new TypeError(`DomainError status ${status} must be 400–599`);
    this.name = new.target.name;
    this.status = status;
    this.title = options.title ?? STATUS_CODES[status] ?? 'Error';
    this.errors = options.errors;
  }
}

/** 400 `request.invalid`: the request body, query or parameters failed validation; `errors` names each field. */
export class RequestValidationError extends DomainError {
  constructor(errors: readonly FieldError[]) {
    super('request.invalid', `The request is invalid: ${errors.map((error) => error.field).join(', ')}`, {
      status: 400,
      title: 'Invalid request',
      errors,
    });
  }
}

/** `http.not_found`, `http.payload_too_large`: the code of a plain HTTP error of that status. */
function httpCode(status: number): string {
  const phrase = STATUS_CODES[status] ?? 'error';
  return `http.${phrase.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '')}`;
}

/** The client-safe message of an HttpException (its string response, or `message` of an object response). */
function httpDetail(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return exception.message;
}

/**
 * Builds the problem for any thrown value:
 * - {@link DomainError} → its status, code, title, message and `errors`;
 * - Nest `HttpException` 4xx (unknown route, malformed JSON, body too large, …) → its status,
 *   `type: about:blank`, code `http.<reason>` (e.g. `http.not_found`), its message as detail;
 * - anything else, and 5xx HttpExceptions → 500 `internal` with a generic detail: no message or stack leaks.
 */
export function toProblemDetails(exception: unknown, instance: string): ProblemDetails {
  if (exception instanceof DomainError) {
    return {
      type: `urn:billing:problem:${exception.code}`,
      title: exception.title,
      status: exception.status,
      detail: exception.message,
      instance,
      code: exception.code,
      ...(exception.errors ? { errors: [...exception.errors] } : {}),
    };
  }
  if (exception instanceof HttpException && exception.getStatus() >= 400 && exception.getStatus() < 500) {
    const status = exception.getStatus();
    return {
      type: 'about:blank',
      title: STATUS_CODES[status] ?? 'Error',
      status,
      detail: httpDetail(exception),
      instance,
      code: httpCode(status),
    };
  }
  return {
    type: 'urn:billing:problem:internal',
    title: 'Internal Server Error',
    status: 500,
    detail: 'An unexpected error occurred. It has been logged.',
    instance,
    code: 'internal',
  };
}

/**
 * Global Nest exception filter: answers every error of an HTTP request as an RFC 9457 problem
 * (`application/problem+json`, see {@link toProblemDetails} for the mapping). 5xx errors are logged
 * with their stack; nothing of them reaches the client. In a bus transport's context (an event
 * handler) it returns the error unchanged, so retries and dead letters see the original. Install with
 * `app.useGlobalFilters(new ProblemDetailsFilter(app.get(HttpAdapterHost)))` (createHttpApp does).
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  readonly #logger = new Logger('ProblemDetails');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | undefined {
    // Event handlers (bus transports): hand the error back unchanged, for retries and the dead letter.
    if (host.getType() !== 'http') return throwError(() => exception);
    const http = host.switchToHttp();
    const adapter = this.adapterHost.httpAdapter;
    const request: unknown = http.getRequest();
    const response: unknown = http.getResponse();
    const url = String(adapter.getRequestUrl(request) ?? '/');
    const problem = toProblemDetails(exception, url.split('?')[0] ?? '/');
    if (problem.status >= 500) {
      this.#logger.error(
        `${adapter.getRequestMethod(request)} ${problem.instance} failed`,
        exception instanceof Error ? exception.stack : String(exception),
      );
    }
    if (adapter.isHeadersSent(response)) return;
    adapter.setHeader(response, 'Content-Type', PROBLEM_JSON);
    adapter.reply(response, problem, problem.status);
  }
}
