import type { SerializedError } from '@reduxjs/toolkit';
import type { FetchBaseQueryError } from '@reduxjs/toolkit/query';
import type { Problem } from './types';

/** Whether an RTK Query error carries an HTTP status (vs. a network or parse failure). */
export function isHttpError(error: unknown): error is FetchBaseQueryError & { status: number; data: unknown } {
  return typeof error === 'object' && error !== null && 'status' in error && typeof (error as { status: unknown }).status === 'number';
}

/** The HTTP status of an RTK Query error, or undefined. */
export function statusOf(error: unknown): number | undefined {
  return isHttpError(error) ? error.status : undefined;
}

/**
 * A readable message for an API error: the problem details' `detail` (or `title`), the invalid fields
 * (`errors[]`), and a hint for the statuses a user can act on (401, 403, 409, 412, 429, network).
 */
export function problemMessage(error: FetchBaseQueryError | SerializedError | undefined | unknown): string {
  if (!error) return '';
  if (isHttpError(error)) {
    const problem = (typeof error.data === 'object' && error.data !== null ? error.data : {}) as Partial<Problem>;
    const base = problem.detail || problem.title || `Request failed (HTTP ${error.status})`;
    const fields = (problem.errors ?? []).map((e) => `${e.field}: ${e.message}`).join('; ');
    const sentence =
      error.status === 412
        ? 'Someone else changed this bill meanwhile; it has been reloaded, check it and try again.'
        : error.status === 429
          ? 'Too many attempts: wait a moment.'
          : '';
    let message = `${base}${fields && !base.includes(fields) ? ` (${fields})` : ''}${error.status === 403 ? ' (not allowed for your role)' : ''}`;
    if (sentence) message = `${/[.!?]$/.test(message) ? message : `${message}.`} ${sentence}`;
    return message;
  }
  const e = error as { status?: string; error?: string; message?: string };
  if (e.status === 'FETCH_ERROR') return 'The server cannot be reached. Check your connection and try again.';
  return e.error ?? e.message ?? 'Something went wrong.';
}
