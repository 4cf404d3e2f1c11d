import { SetMetadata } from '@nestjs/common';

/** Metadata key of a route's {@link AccessRule} (read by the auth lib's guard). */
export const ACCESS_RULE = 'billing:access-rule';

/**
 * Who may call a route:
 * - `public`: anyone, no token needed (sign-up, login, health, JWKS);
 * - `authenticated`: any signed-in, active user, whatever their role (including none granted yet);
 * - `roles`: signed-in users holding one of `roles` (role codes, see `@billing/auth` `ROLES`).
 * A route (or its controller) without a rule is refused to everyone by the auth guard: access is
 * denied by default, and the route matrix test fails for it.
 */
export type AccessRule = { kind: 'public' } | { kind: 'authenticated' } | { kind: 'roles'; roles: readonly string[] };

/** Route or controller open to anyone, without a token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(ACCESS_RULE, { kind: 'public' } satisfies AccessRule);
