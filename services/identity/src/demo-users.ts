import { ROLES, type Role } from '@billing/auth';
import type { UsersService } from './users/users.service.js';

/** The documented password of every demo user (embedded demo mode only; production refuses `IDENTITY_DEMO_USERS`). */
export const DEMO_PASSWORD = 'billing-demo-2017';

/** The demo users: one per role, named `demo-<role in lower case>` (e.g. `demo-finance`, `demo-customersuccess`). */
export const DEMO_USERS: readonly { name: string; role: Role }[] = ROLES.map((role) => ({ name: `demo-${role.toLowerCase()}`, role }));

/**
 * Seeds the demo users (active, role granted, password {@link DEMO_PASSWORD}) when the installation
 * has no user at all; does nothing otherwise. The identity module calls it at start-up when
 * `IDENTITY_DEMO_USERS` is on.
 * @returns how many users were created (0 on a non-empty installation).
 */
export async function seedDemoUsers(users: UsersService, now = new Date()): Promise<number> {
  if ((await users.count()) > 0) return 0;
  let created = 0;
  for (const demo of DEMO_USERS) {
    const result = await users.registerGranted({ name: demo.name, email: null, role: demo.role, password: DEMO_PASSWORD, source: 'demo' }, { userId: 'identity', role: 'system', name: 'demo seeding' }, now);
    if (result.created) created++;
  }
  return created;
}
