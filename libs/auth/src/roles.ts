/**
 * The roles of the platform's users (design §8). Codes are the BillProcess seed's spellings
 * (`users.csv`: `Finance`, `CustomerSuccess`, `Sales`), plus `Admin`.
 */
export const ROLES = ['Finance', 'CustomerSuccess', 'Sales', 'Admin'] as const;

/** A role code. */
export type Role = (typeof ROLES)[number];

/** Human labels, e.g. `CustomerSuccess` → `Customer Success`. */
export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  Finance: 'Finance',
  CustomerSuccess: 'Customer Success',
  Sales: 'Sales',
  Admin: 'Admin',
};

/** Whether `value` is a role code. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
