import { describe, expect, it } from '@jest/globals';
import { DeciderSpecification } from '@billing/event-store';
import {
  RoleNotGrantableError,
  UserAlreadyRegisteredError,
  userDecider,
  UserDeactivatedError,
  UserNotFoundError,
  type RegisterUser,
  type UserCommand,
  type UserEvent,
} from './user.decider.js';

const spec = DeciderSpecification.for(userDecider);

/**
 * Emmett's `then` compares with `isSubset`, which fails on `null` fields (our events carry `null` for
 * "no role"/"no e-mail"), so `then` is checked here with a deep equality; the rest is Emmett's.
 */
function given(events: UserEvent[]) {
  return {
    when(command: UserCommand) {
      const emmett = spec(events).when(command);
      return {
        then: (expected: UserEvent[]) => expect(userDecider.decide(command, events.reduce(userDecider.evolve, userDecider.initialState()))).toEqual(expected),
        thenNothingHappened: () => emmett.thenNothingHappened(),
        thenThrows: emmett.thenThrows,
      };
    },
  };
}
const now = '2026-11-21T10:00:00.000Z';
const later = '2026-11-21T11:00:00.000Z';
const userId = 'u-1';

const register = (data: Partial<RegisterUser['data']> = {}): RegisterUser => ({
  type: 'RegisterUser',
  data: { userId, name: 'Ada', email: null, requestedRole: null, grantedRole: null, hasPassword: true, source: 'signup', isFirstUser: false, now, ...data },
});
const registered = (role: 'Admin' | 'Finance' | 'CustomerSuccess' | 'Sales' | null = null): UserEvent => ({
  type: 'UserRegistered',
  data: { userId, name: 'Ada', email: null, role, requestedRole: null, active: true, source: 'signup', registeredAt: now },
});
const passwordSet: UserEvent = { type: 'UserPasswordSet', data: { userId, setAt: now, via: 'signup' } };
const deactivated: UserEvent = { type: 'UserDeactivated', data: { userId, deactivatedAt: now } };

describe('user decider', () => {
  describe('RegisterUser', () => {
    it('makes the first user of an empty installation Admin, whatever they asked for', () =>
      given([])
        .when(register({ isFirstUser: true, requestedRole: 'Sales' }))
        .then([
          { type: 'UserRegistered', data: { userId, name: 'Ada', email: null, role: 'Admin', requestedRole: 'Sales', active: true, source: 'signup', registeredAt: now } },
          passwordSet,
        ]));

    it('gives a later sign-up no role: the requested role (even Finance or Admin) is only a request', () => {
      for (const requestedRole of ['Finance', 'Admin', 'Sales'] as const) {
        given([])
          .when(register({ requestedRole }))
          .then([{ type: 'UserRegistered', data: { userId, name: 'Ada', email: null, role: null, requestedRole, active: true, source: 'signup', registeredAt: now } }, passwordSet]);
      }
    });

    it('refuses a sign-up that tries to grant itself a role', () => given([]).when(register({ grantedRole: 'Finance' })).thenThrows<RoleNotGrantableError>((e) => e.code === 'identity.role_not_grantable'));

    it('grants the role of an import, without a password', () =>
      given([])
        .when(register({ source: 'import', grantedRole: 'CustomerSuccess', hasPassword: false }))
        .then([{ type: 'UserRegistered', data: { userId, name: 'Ada', email: null, role: 'CustomerSuccess', requestedRole: null, active: true, source: 'import', registeredAt: now } }]));

    it('records the demo password as set by demo seeding', () =>
      given([])
        .when(register({ source: 'demo', grantedRole: 'Sales', hasPassword: true }))
        .then([
          { type: 'UserRegistered', data: { userId, name: 'Ada', email: null, role: 'Sales', requestedRole: null, active: true, source: 'demo', registeredAt: now } },
          { type: 'UserPasswordSet', data: { userId, setAt: now, via: 'demo' } },
        ]));

    it('refuses to register a user twice', () => given([registered()]).when(register()).thenThrows<UserAlreadyRegisteredError>((e) => e.code === 'identity.user_exists'));
  });

  describe('ChangeUserRole', () => {
    it('grants a role to a user awaiting one', () =>
      given([registered(null)])
        .when({ type: 'ChangeUserRole', data: { userId, role: 'Finance', now: later } })
        .then([{ type: 'UserRoleChanged', data: { userId, role: 'Finance', previousRole: null, changedAt: later } }]));

    it('changes a role, naming the previous one', () =>
      given([registered('Sales')])
        .when({ type: 'ChangeUserRole', data: { userId, role: 'Finance', now: later } })
        .then([{ type: 'UserRoleChanged', data: { userId, role: 'Finance', previousRole: 'Sales', changedAt: later } }]));

    it('does nothing when the role is already held', () => given([registered('Sales')]).when({ type: 'ChangeUserRole', data: { userId, role: 'Sales', now } }).thenNothingHappened());

    it('refuses an unknown user', () => given([]).when({ type: 'ChangeUserRole', data: { userId, role: 'Sales', now } }).thenThrows<UserNotFoundError>((e) => e.status === 404));

    it('refuses a deactivated user', () =>
      given([registered('Sales'), deactivated]).when({ type: 'ChangeUserRole', data: { userId, role: 'Finance', now } }).thenThrows<UserDeactivatedError>((e) => e.status === 409));
  });

  describe('DeactivateUser', () => {
    it('deactivates an active user', () =>
      given([registered('Sales')]).when({ type: 'DeactivateUser', data: { userId, now: later } }).then([{ type: 'UserDeactivated', data: { userId, deactivatedAt: later } }]));

    it('is idempotent', () => given([registered('Sales'), deactivated]).when({ type: 'DeactivateUser', data: { userId, now } }).thenNothingHappened());

    it('refuses an unknown user', () => given([]).when({ type: 'DeactivateUser', data: { userId, now } }).thenThrows<UserNotFoundError>((e) => e.status === 404));
  });

  describe('ReactivateUser', () => {
    it('reactivates a deactivated user', () =>
      given([registered('Sales'), deactivated]).when({ type: 'ReactivateUser', data: { userId, now: later } }).then([{ type: 'UserReactivated', data: { userId, reactivatedAt: later } }]));

    it('does nothing for an active user', () => given([registered('Sales')]).when({ type: 'ReactivateUser', data: { userId, now } }).thenNothingHappened());

    it('lets a reactivated user be given a role again', () =>
      given([registered('Sales'), deactivated, { type: 'UserReactivated', data: { userId, reactivatedAt: now } }])
        .when({ type: 'ChangeUserRole', data: { userId, role: 'Finance', now: later } })
        .then([{ type: 'UserRoleChanged', data: { userId, role: 'Finance', previousRole: 'Sales', changedAt: later } }]));

    it('refuses an unknown user', () => given([]).when({ type: 'ReactivateUser', data: { userId, now } }).thenThrows<UserNotFoundError>((e) => e.status === 404));
  });

  describe('SetUserPassword', () => {
    it('records a password set with a setup token', () =>
      given([registered('Sales')]).when({ type: 'SetUserPassword', data: { userId, via: 'setup_token', now: later } }).then([{ type: 'UserPasswordSet', data: { userId, setAt: later, via: 'setup_token' } }]));

    it('refuses a deactivated user', () =>
      given([registered('Sales'), deactivated]).when({ type: 'SetUserPassword', data: { userId, via: 'setup_token', now } }).thenThrows<UserDeactivatedError>((e) => e.status === 409));

    it('refuses an unknown user', () => given([]).when({ type: 'SetUserPassword', data: { userId, via: 'setup_token', now } }).thenThrows<UserNotFoundError>((e) => e.status === 404));
  });
});
