/**
 * @billing/auth: access control every service shares (design §8). Roles, access rules
 * (`@Public()`, `@Authenticated()`, `@Roles(...)`; none declared means denied), local verification of
 * the identity service's EdDSA access tokens, revocation from identity's events, the global guard,
 * and the route listing the role × endpoint matrix test is built on.
 */
export * from './roles.js';
export * from './principal.js';
export * from './decorators.js';
export * from './errors.js';
export * from './token-verifier.js';
export * from './token-signer.js';
export * from './revocations.js';
export * from './auth.guard.js';
export * from './auth.module.js';
export * from './route-access.js';
