import { DomainError } from '@billing/platform';

/** 401 `auth.unauthenticated`: no bearer token on a route that needs one. */
export class MissingTokenError extends DomainError {
  constructor() {
    super('auth.unauthenticated', 'Sign in first: this endpoint needs an access token (Authorization: Bearer <token>)', { status: 401 });
  }
}

/**
 * 401 `auth.invalid_token`: the token is malformed, tampered with, expired, signed by an unknown key,
 * or uses an algorithm other than EdDSA (`alg: none` included). The reason is deliberately generic.
 */
export class InvalidTokenError extends DomainError {
  constructor(cause?: unknown) {
    super('auth.invalid_token', 'The access token is invalid or expired; sign in again', { status: 401, cause });
  }
}

/** 401 `auth.token_revoked`: the session was logged out, or the user deactivated or their role changed since the token was issued. */
export class RevokedTokenError extends DomainError {
  constructor() {
    super('auth.token_revoked', 'The access token was revoked; sign in again', { status: 401 });
  }
}

/** 403 `auth.forbidden`: signed in, but the route is for other roles. */
export class ForbiddenError extends DomainError {
  constructor(detail = 'Your role does not allow this action') {
    super('auth.forbidden', detail, { status: 403 });
  }
}

/** 403 `auth.no_access_rule`: the route declares no access rule (a programming error; denied by default). */
export class NoAccessRuleError extends DomainError {
  constructor(route: string) {
    super('auth.no_access_rule', `Access denied: ${route} declares no access rule`, { status: 403 });
  }
}
