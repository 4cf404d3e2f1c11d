import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ACCESS_RULE, type AccessRule } from '@billing/platform';
import type { Principal } from './principal.js';
import type { Role } from './roles.js';

export { ACCESS_RULE, Public, type AccessRule } from '@billing/platform';

/** Route or controller open to any signed-in active user, whatever the role. */
export const Authenticated = (): MethodDecorator & ClassDecorator => SetMetadata(ACCESS_RULE, { kind: 'authenticated' } satisfies AccessRule);

/**
 * Route or controller open to signed-in users holding one of `roles`; others get 403 `auth.forbidden`.
 * A rule on a method overrides the controller's.
 * @throws TypeError when no role is given.
 */
export function Roles(...roles: [Role, ...Role[]]): MethodDecorator & ClassDecorator {
  if (roles.length === 0) throw new TypeError('Roles() needs at least one role');
  return SetMetadata(ACCESS_RULE, { kind: 'roles', roles } satisfies AccessRule);
}

/** The request's {@link Principal} (`undefined` on a public route called without a token). */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): Principal | undefined => {
  const request = context.switchToHttp().getRequest<{ principal?: Principal }>();
  return request.principal;
});
