import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import { Authenticated, CurrentUser, ForbiddenError, Public, Roles, ROLES, type Principal } from '@billing/auth';
import { UnsupportedMediaTypeError } from '../errors.js';
import { UsersService, type ImportReport, type UserView } from './users.service.js';

const roleSchema = z.enum(ROLES);
const nameSchema = z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters');
const emailSchema = z.string().trim().toLowerCase().pipe(z.email('must be an e-mail address')).pipe(z.string().max(320));

/** `POST /api/users` body. */
export const signUpSchema = z.object({
  name: nameSchema,
  email: emailSchema.optional(),
  password: z.string().max(1024),
  requestedRole: roleSchema.optional(),
});

/** `PATCH /api/users/:userId` body: at least one of `role`, `active`. */
export const updateUserSchema = z
  .object({ role: roleSchema.optional(), active: z.boolean().optional() })
  .refine((body) => body.role !== undefined || body.active !== undefined, { message: 'give role and/or active' });

/** `POST /api/users/password-setup` body. */
export const passwordSetupSchema = z.object({ token: z.string().min(1).max(200), password: z.string().max(1024) });

/** `GET /api/users` query. */
export const listUsersSchema = z.object({
  role: z.enum([...ROLES, 'none']).optional(),
  active: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
  search: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const userIdSchema = z.string().min(1).max(200);

/** Largest accepted import file. */
const MAX_CSV_BYTES = 1_000_000;

/** Reads a `text/csv` request body (the platform parses only JSON and urlencoded bodies). */
async function readCsvBody(request: Request): Promise<string> {
  const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'text/csv' && type !== 'text/plain') throw new UnsupportedMediaTypeError('text/csv');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_CSV_BYTES) throw new UnsupportedMediaTypeError(`text/csv of at most ${MAX_CSV_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Users: sign-up, import, password setup, and the Admin's user management. */
@Controller('api/users')
export class UsersController {
  constructor(@Inject(UsersService) private readonly users: UsersService) {}

  /**
   * `POST /api/users` (public): sign up with `{ name, email?, password, requestedRole? }` → 201 the
   * user. The first user of an empty installation becomes Admin; later ones get `role: null` and
   * their `requestedRole` awaits an Admin (issue 3 sign-up policy).
   * Errors: 400 `request.invalid`, 400 `identity.weak_password` (rule in `errors`), 409 `identity.duplicate_user`.
   */
  @Public()
  @Post()
  signUp(@Body({ schema: signUpSchema }) body: z.infer<typeof signUpSchema>): Promise<UserView> {
    return this.users.signUp(body);
  }

  /**
   * `POST /api/users/import` (Admin): body = the users CSV (`Content-Type: text/csv`, header
   * `name,email,role`) → 200 `{ created, existing, rejected: [{ line, reason }], setupTokens: [{ userId, name, token, expiresAt }] }`.
   * Errors: 415 `identity.unsupported_media_type`.
   */
  @Roles('Admin')
  @Post('import')
  @HttpCode(200)
  async import(@Req() request: Request, @CurrentUser() principal: Principal): Promise<ImportReport> {
    return this.users.importCsv(await readCsvBody(request), principal);
  }

  /**
   * `POST /api/users/password-setup` (public): `{ token, password }` sets the password of an imported
   * user with their one-time token → 200 the user.
   * Errors: 400 `identity.weak_password`, 400 `identity.invalid_setup_token`.
   */
  @Public()
  @Post('password-setup')
  @HttpCode(200)
  setPassword(@Body({ schema: passwordSetupSchema }) body: z.infer<typeof passwordSetupSchema>): Promise<UserView> {
    return this.users.setPasswordWithToken(body.token, body.password);
  }

  /**
   * `GET /api/users` (Admin): `?role=<code>|none&active=true|false&search=<name or e-mail part>&limit=50&offset=0`
   * → `{ items, total, limit, offset }`, ordered by name.
   */
  @Roles('Admin')
  @Get()
  list(@Query({ schema: listUsersSchema }) query: z.infer<typeof listUsersSchema>): Promise<{ items: UserView[]; total: number; limit: number; offset: number }> {
    return this.users.list(query);
  }

  /** `GET /api/users/:userId`: an Admin, or the user themself (others 403 `auth.forbidden`). 404 `identity.user_not_found`. */
  @Authenticated()
  @Get(':userId')
  get(@Param('userId', { schema: userIdSchema }) userId: string, @CurrentUser() principal: Principal): Promise<UserView> {
    if (principal.role !== 'Admin' && principal.userId !== userId) throw new ForbiddenError('Only an Admin or the user themself can see this user');
    return this.users.get(userId);
  }

  /**
   * `PATCH /api/users/:userId` (Admin): `{ role?, active? }` grants a role (`UserRoleChanged`: the
   * user's older tokens are refused everywhere) and/or deactivates (`UserDeactivated`: all their tokens).
   * Errors: 404 `identity.user_not_found`, 409 `identity.user_deactivated`, `identity.self_lockout`. `active: true` reactivates a deactivated user (`UserReactivated`).
   */
  @Roles('Admin')
  @Patch(':userId')
  update(
    @Param('userId', { schema: userIdSchema }) userId: string,
    @Body({ schema: updateUserSchema }) body: z.infer<typeof updateUserSchema>,
    @CurrentUser() principal: Principal,
  ): Promise<UserView> {
    return this.users.update(userId, body, principal);
  }
}
