import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ACCESS_RULE, type AccessRule } from '@billing/platform';
import { ForbiddenError, MissingTokenError, NoAccessRuleError, RevokedTokenError } from './errors.js';
import type { Principal } from './principal.js';
import { RevocationList } from './revocations.js';
import { TokenVerifier } from './token-verifier.js';

/** A request as the guard sees it (Express). */
interface GuardedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

/** The bearer token of `Authorization: Bearer <token>`, if any. */
export function bearerToken(headers: GuardedRequest['headers']): string | undefined {
  const header = headers['authorization'];
  const value = Array.isArray(header) ? header[0] : header;
  const match = value?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

/**
 * The platform's one HTTP guard, installed globally by {@link AuthModule}: every route must declare an
 * access rule (`@Public()`, `@Authenticated()` or `@Roles(...)`, on the method or its controller), and a
 * route without one is refused (403 `auth.no_access_rule`), so access is denied by default. For
 * non-public routes it verifies the bearer token locally ({@link TokenVerifier}: 401
 * `auth.unauthenticated` / `auth.invalid_token`), refuses revoked ones ({@link RevocationList}: 401
 * `auth.token_revoked`) and checks the role (403 `auth.forbidden`). The principal is attached to the
 * request (`@CurrentUser()`). Bus handlers (non-HTTP contexts) pass through.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
    @Inject(RevocationList) private readonly revocations: RevocationList,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [context.getHandler(), context.getClass()]);
    if (!rule) throw new NoAccessRuleError(`${request.method} ${request.url.split('?')[0]}`);
    const token = bearerToken(request.headers);
    if (rule.kind === 'public') {
      if (token) request.principal = await this.#principal(token).catch(() => undefined);
      return true;
    }
    if (!token) throw new MissingTokenError();
    const principal = await this.#principal(token);
    request.principal = principal;
    if (rule.kind === 'authenticated') return true;
    if (principal.role === null || !rule.roles.includes(principal.role)) {
      throw new ForbiddenError(`This action is for ${rule.roles.join(' or ')}; you are ${principal.role ?? 'awaiting a role'}`);
    }
    return true;
  }

  async #principal(token: string): Promise<Principal> {
    const principal = await this.verifier.verify(token);
    if (this.revocations.isRevoked(principal)) throw new RevokedTokenError();
    return principal;
  }
}
