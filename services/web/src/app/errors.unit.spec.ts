import { describe, expect, it } from '@jest/globals';
import { problemMessage, statusOf } from './errors';

describe('problemMessage (API errors as readable messages)', () => {
  it('shows the problem detail and the invalid fields', () => {
    const error = { status: 400, data: { status: 400, title: 'Bad request', detail: 'The request is invalid', code: 'request.invalid', errors: [{ field: 'unitPrice', message: 'a non-negative decimal string' }] } };
    expect(problemMessage(error)).toBe('The request is invalid (unitPrice: a non-negative decimal string)');
  });
  it('explains a 412 (someone else changed the bill)', () => {
    expect(problemMessage({ status: 412, data: { status: 412, detail: 'The bill is at version 5', code: 'bill.version_mismatch' } })).toMatch(/^The bill is at version 5\. Someone else changed this bill/);
    expect(statusOf({ status: 412, data: {} })).toBe(412);
  });
  it('falls back to the title, then the status, then says when the server cannot be reached', () => {
    expect(problemMessage({ status: 403, data: { title: 'Forbidden' } })).toBe('Forbidden (not allowed for your role)');
    expect(problemMessage({ status: 500, data: '<html>' })).toBe('Request failed (HTTP 500)');
    expect(problemMessage({ status: 'FETCH_ERROR', error: 'TypeError: Failed to fetch' })).toMatch(/cannot be reached/);
    expect(problemMessage(undefined)).toBe('');
  });
});
