import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { Authenticated, CurrentUser, Public, type Principal } from '@billing/auth';
import { TooManyAttemptsError } from '../errors.js';
import { UsersService, type UserView } from '../users/users.service.js';
import { SessionsService, type IssuedSession } from './sessions.service.js';

/** Name of the refresh-token cookie (HttpOnly, SameSite=Strict, Path=/api/session, Secure over https). */
export const REFRESH_COOKIE = 'billing_refresh';
const COOKIE_PATH = '/api/session';

/** `POST /api/session` body: `name` is the user's name or e-mail (case-insensitive). */
export const loginSchema = z.object({ name: z.string().trim().min(1).max(320), password: z.string().max(1024) });

/** What login and refresh answer: the access token (Bearer) and the user; the refresh token is in the cookie. */
export type SessionResponse = Omit<IssuedSession, 'refresh'>;

function isHttps(request: Request): boolean {
  return request.protocol === 'https' || String(request.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim() === 'https';
}

function cookieOf(request: Request, name: string): string | undefined {
  for (const part of String(request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return decodeURIComponent(part.slice(at + 1).trim());
  }
  return undefined;
}

function setRefreshCookie(request: Request, response: Response, refresh: { token: string; expiresAt: Date } | undefined): void {
  const secure = isHttps(request) ? '; Secure' : '';
  const value = refresh
    ? `${REFRESH_COOKIE}=${refresh.token}; Path=${COOKIE_PATH}; HttpOnly; SameSite=Strict; Expires=${refresh.expiresAt.toUTCString()}${secure}`
    : `${REFRESH_COOKIE}=; Path=${COOKIE_PATH}; HttpOnly; SameSite=Strict; Max-Age=0${secure}`;
  response.setHeader('Set-Cookie', value);
}

function withoutRefresh(session: IssuedSession): SessionResponse {
  const { refresh: _refresh, ...rest } = session;
  return rest;
}

/** Login sessions: log in, refresh, log out, who am I. */
@Controller('api/session')
export class SessionController {
  constructor(
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(UsersService) private readonly users: UsersService,
  ) {}

  /**
   * `POST /api/session` (public): `{ name, password }` → 201 `{ accessToken, tokenType: 'Bearer',
   * expiresAt, sessionId, user }` and the refresh cookie.
   * Errors: 401 `identity.invalid_credentials` (same for every failure), 429 `identity.too_many_attempts` with `Retry-After`.
   */
  @Public()
  @Post()
  async login(
    @Body({ schema: loginSchema }) body: z.infer<typeof loginSchema>,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionResponse> {
    try {
      const session = await this.sessions.login(body.name, body.password, request.ip ?? request.socket.remoteAddress ?? 'unknown');
      setRefreshCookie(request, response, session.refresh);
      return withoutRefresh(session);
    } catch (error) {
      if (error instanceof TooManyAttemptsError) response.setHeader('Retry-After', String(error.retryAfterSeconds));
      throw error;
    }
  }

  /**
   * `POST /api/session/refresh` (public, reads the refresh cookie) → 200 a new access token, and a
   * rotated cookie. Errors: 400 `identity.refresh_cookie_missing`, 401 `identity.invalid_refresh_token`, 401 `identity.refresh_token_reused` (session revoked).
   */
  @Public()
  @Post('refresh')
  @HttpCode(200)
  async refresh(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<SessionResponse> {
    try {
      const session = await this.sessions.refresh(cookieOf(request, REFRESH_COOKIE));
      setRefreshCookie(request, response, session.refresh);
      return withoutRefresh(session);
    } catch (error) {
      setRefreshCookie(request, response, undefined);
      throw error;
    }
  }

  /** `DELETE /api/session` (signed in): logs out: revokes the session everywhere (`SessionRevoked`), clears the cookie → 204. */
  @Authenticated()
  @Delete()
  @HttpCode(204)
  async logout(@CurrentUser() principal: Principal, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    await this.sessions.logout(principal);
    setRefreshCookie(request, response, undefined);
  }

  /** `GET /api/session` (signed in): `{ user, sessionId, expiresAt }` of the caller. 404 `identity.user_not_found` for an unknown user. */
  @Authenticated()
  @Get()
  async current(@CurrentUser() principal: Principal): Promise<{ user: UserView; sessionId: string; expiresAt: string }> {
    return { user: await this.users.get(principal.userId), sessionId: principal.sessionId, expiresAt: principal.expiresAt.toISOString() };
  }
}
