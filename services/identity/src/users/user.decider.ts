import type { Command, Event } from '@billing/event-store';
import type { Role } from '@billing/auth';
import { DomainError } from '@billing/platform';

/** Stream of one user: `user-<userId>` (design §3). */
export const userStreamId = (userId: string): string => `user-${userId}`;

/** How an account came to be. */
export type RegistrationSource = 'signup' | 'import' | 'demo';

/**
 * Domain events of a user stream. Plain JSON, times as UTC ISO strings. Password hashes are never
 * part of an event (they live in the `credentials` table, written in the same transaction).
 */
export type UserRegistered = Event<
  'UserRegistered',
  {
    userId: string;
    name: string;
    email: string | null;
    /** The granted role, `null` while an Admin has not granted one. */
    role: Role | null;
    /** What the user asked for at sign-up (never granted by itself). */
    requestedRole: Role | null;
    active: boolean;
    source: RegistrationSource;
    registeredAt: string;
  }
>;
export type UserRoleChanged = Event<'UserRoleChanged', { userId: string; role: Role; previousRole: Role | null; changedAt: string }>;
export type UserDeactivated = Event<'UserDeactivated', { userId: string; deactivatedAt: string }>;
/** An Admin reactivated a deactivated user (tokens issued before stay refused everywhere). */
export type UserReactivated = Event<'UserReactivated', { userId: string; reactivatedAt: string }>;
/** The user's password was set or changed (the hash itself is in `credentials`). */
export type UserPasswordSet = Event<'UserPasswordSet', { userId: string; setAt: string; via: 'signup' | 'setup_token' | 'demo' }>;

export type UserEvent = UserRegistered | UserRoleChanged | UserDeactivated | UserReactivated | UserPasswordSet;

/**
 * Registers a user. `isFirstUser` (is the installation empty?) and `now` are looked up by the caller.
 * `grantedRole` is the role an Admin grants (import, demo seeding); sign-ups pass `null` and may only
 * request a role.
 */
export type RegisterUser = Command<
  'RegisterUser',
  {
    userId: string;
    name: string;
    email: string | null;
    requestedRole: Role | null;
    grantedRole: Role | null;
    hasPassword: boolean;
    source: RegistrationSource;
    isFirstUser: boolean;
    now: string;
  }
>;
export type ChangeUserRole = Command<'ChangeUserRole', { userId: string; role: Role; now: string }>;
export type DeactivateUser = Command<'DeactivateUser', { userId: string; now: string }>;
export type ReactivateUser = Command<'ReactivateUser', { userId: string; now: string }>;
export type SetUserPassword = Command<'SetUserPassword', { userId: string; via: 'setup_token' | 'demo'; now: string }>;

export type UserCommand = RegisterUser | ChangeUserRole | DeactivateUser | ReactivateUser | SetUserPassword;

/** State folded from a user stream. */
export type UserState =
  | { status: 'none' }
  | { status: 'registered'; userId: string; name: string; role: Role | null; active: boolean; hasPassword: boolean };

export const initialUserState = (): UserState => ({ status: 'none' });

/** 409 `identity.user_exists`: the user stream already exists. */
export class UserAlreadyRegisteredError extends DomainError {
  constructor(userId: string) {
    super('identity.user_exists', `User ${userId} is already registered`, { status: 409 });
  }
}

/** 404 `identity.user_not_found`. */
export class UserNotFoundError extends DomainError {
  constructor(userId: string) {
    super('identity.user_not_found', `User ${userId} does not exist`, { status: 404 });
  }
}

/** 409 `identity.user_deactivated`: the action needs an active user. */
export class UserDeactivatedError extends DomainError {
  constructor(userId: string) {
    super('identity.user_deactivated', `User ${userId} is deactivated`, { status: 409 });
  }
}

/** 403 `identity.role_not_grantable`: sign-up tried to grant a role (a role is granted by an Admin; issue 3 sign-up policy). */
export class RoleNotGrantableError extends DomainError {
  constructor() {
    super('identity.role_not_grantable', 'A self-chosen role is a request: only an Admin grants roles', { status: 403 });
  }
}

/**
 * Sign-up policy (issue 3): the first user of an empty installation becomes Admin; any other
 * sign-up gets no role (`requestedRole` records the wish, an Admin grants it later). Imports and demo
 * seeding are done by an Admin (or the operator) and grant `grantedRole`.
 */
function roleAtRegistration(command: RegisterUser['data']): Role | null {
  if (command.isFirstUser) return 'Admin';
  if (command.source === 'signup') {
    if (command.grantedRole !== null) throw new RoleNotGrantableError();
    return null;
  }
  return command.grantedRole;
}

/**
 * The user decider: pure `decide(command, state) → events` (design §3).
 * @throws UserAlreadyRegisteredError, UserNotFoundError, UserDeactivatedError, RoleNotGrantableError.
 */
export function decideUser(command: UserCommand, state: UserState): UserEvent[] {
  switch (command.type) {
    case 'RegisterUser': {
      if (state.status !== 'none') throw new UserAlreadyRegisteredError(command.data.userId);
      const c = command.data;
      const role = roleAtRegistration(c);
      const events: UserEvent[] = [
        {
          type: 'UserRegistered',
          data: {
            userId: c.userId,
            name: c.name,
            email: c.email,
            role,
            requestedRole: c.requestedRole,
            active: true,
            source: c.source,
            registeredAt: c.now,
          },
        },
      ];
      if (c.hasPassword) events.push({ type: 'UserPasswordSet', data: { userId: c.userId, setAt: c.now, via: c.source === 'demo' ? 'demo' : 'signup' } });
      return events;
    }
    case 'ChangeUserRole': {
      if (state.status === 'none') throw new UserNotFoundError(command.data.userId);
      if (!state.active) throw new UserDeactivatedError(state.userId);
      if (state.role === command.data.role) return [];
      return [{ type: 'UserRoleChanged', data: { userId: state.userId, role: command.data.role, previousRole: state.role, changedAt: command.data.now } }];
    }
    case 'DeactivateUser': {
      if (state.status === 'none') throw new UserNotFoundError(command.data.userId);
      if (!state.active) return [];
      return [{ type: 'UserDeactivated', data: { userId: state.userId, deactivatedAt: command.data.now } }];
    }
    case 'ReactivateUser': {
      if (state.status === 'none') throw new UserNotFoundError(command.data.userId);
      if (state.active) return [];
      return [{ type: 'UserReactivated', data: { userId: state.userId, reactivatedAt: command.data.now } }];
    }
    case 'SetUserPassword': {
      if (state.status === 'none') throw new UserNotFoundError(command.data.userId);
      if (!state.active) throw new UserDeactivatedError(state.userId);
      return [{ type: 'UserPasswordSet', data: { userId: state.userId, setAt: command.data.now, via: command.data.via } }];
    }
  }
}

/** Folds one user event into the state. */
export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserRegistered':
      return { status: 'registered', userId: event.data.userId, name: event.data.name, role: event.data.role, active: event.data.active, hasPassword: false };
    case 'UserRoleChanged':
      return state.status === 'registered' ? { ...state, role: event.data.role } : state;
    case 'UserDeactivated':
      return state.status === 'registered' ? { ...state, active: false } : state;
    case 'UserReactivated':
      return state.status === 'registered' ? { ...state, active: true } : state;
    case 'UserPasswordSet':
      return state.status === 'registered' ? { ...state, hasPassword: true } : state;
  }
}

/** The decider of `user-<userId>` streams. */
export const userDecider = { decide: decideUser, evolve: evolveUser, initialState: initialUserState };
