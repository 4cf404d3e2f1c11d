import { DomainError } from '@billing/platform';

/** 409 `identity.duplicate_user`: the name (case-insensitive) or e-mail is taken; `errors` names the field. */
export class DuplicateUserError extends DomainError {
  constructor(field: 'name' | 'email') {
    super('identity.duplicate_user', `A user with this ${field} already exists`, {
      status: 409,
      errors: [{ field, message: field === 'name' ? 'already taken (names are compared case-insensitively)' : 'already used by another user' }],
    });
  }
}

/**
 * 401 `identity.invalid_credentials`: the one answer to a failed login, whatever the reason (unknown
 * user, wrong password, no password set yet, deactivated user), so a caller learns nothing (issue 3).
 */
export class InvalidCredentialsError extends DomainError {
  constructor() {
    super('identity.invalid_credentials', 'The name or password is incorrect', { status: 401 });
  }
}

/** 429 `identity.too_many_attempts`: too many failed logins; the response carries `Retry-After` (seconds). */
export class TooManyAttemptsError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('identity.too_many_attempts', `Too many failed sign-in attempts; try again in ${retryAfterSeconds} s`, { status: 429 });
  }
}

/** 400 `identity.invalid_setup_token`: unknown, used or expired password-setup token. */
export class InvalidSetupTokenError extends DomainError {
  constructor() {
    super('identity.invalid_setup_token', 'The password-setup token is invalid, used or expired; ask an Admin for a new one', { status: 400 });
  }
}

/** 400 `identity.refresh_cookie_missing`: `POST /api/session/refresh` without the refresh cookie. */
export class MissingRefreshCookieError extends DomainError {
  constructor() {
    super('identity.refresh_cookie_missing', 'No refresh cookie was sent; sign in first', { status: 400 });
  }
}

/** 401 `identity.invalid_refresh_token`: an an unknown, expired or revoked one. */
export class InvalidRefreshTokenError extends DomainError {
  constructor() {
    super('identity.invalid_refresh_token', 'The session is over; sign in again', { status: 401 });
  }
}

/** 401 `identity.refresh_token_reused`: a refresh token was used twice; its session is revoked (theft suspected). */
export class RefreshTokenReusedError extends DomainError {
  constructor() {
    super('identity.refresh_token_reused', 'This refresh token was already used; the session has been revoked, sign in again', { status: 401 });
  }
}

/** 409 `identity.self_lockout`: an Admin may not deactivate themself or drop their own Admin role. */
export class SelfLockoutError extends DomainError {
  constructor() {
    super('identity.self_lockout', 'You cannot deactivate yourself or remove your own Admin role; ask another Admin', { status: 409 });
  }
}

/** 415 `identity.unsupported_media_type`: the import wants `Content-Type: text/csv`. */
export class UnsupportedMediaTypeError extends DomainError {
  constructor(expected: string) {
    super('identity.unsupported_media_type', `Send the file as ${expected}`, { status: 415 });
  }
}
