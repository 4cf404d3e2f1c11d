import { DomainError } from '@billing/platform';
import { COMMON_PASSWORDS } from './common-passwords.js';

/** Minimum password length (issue 3: "at least 12 characters"; NIST SP 800-63B §3.1.1.2 allows 8+, we ask more). */
export const MIN_PASSWORD_LENGTH = 12;
/** bcrypt reads at most 72 bytes; longer passwords would be silently truncated, so they are refused. */
export const MAX_PASSWORD_BYTES = 72;

/** The rule a refused password broke. */
export type PasswordRule = 'min_length' | 'max_length' | 'common_password';

/**
 * 400 `identity.weak_password`: the password breaks `rule`; the problem's `errors` name the
 * `password` field and the rule (`min_length`, `max_length` or `common_password`).
 */
export class WeakPasswordError extends DomainError {
  constructor(readonly rule: PasswordRule) {
    const messages: Record<PasswordRule, string> = {
      min_length: `min_length: the password must have at least ${MIN_PASSWORD_LENGTH} characters`,
      max_length: `max_length: the password must fit in ${MAX_PASSWORD_BYTES} bytes (UTF-8)`,
      common_password: 'common_password: the password is one of the most common passwords',
    };
    super('identity.weak_password', `Weak password (${rule}): ${messages[rule]}`, { status: 400, errors: [{ field: 'password', message: messages[rule] }] });
  }
}

/**
 * Checks a new password against the rules: at least {@link MIN_PASSWORD_LENGTH} characters (code
 * points), at most {@link MAX_PASSWORD_BYTES} UTF-8 bytes, and not in the common-password list
 * (case-insensitive; see `common-passwords.ts`).
 * @throws WeakPasswordError naming the rule broken.
 */
export function assertStrongPassword(password: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) throw new WeakPasswordError('min_length');
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) throw new WeakPasswordError('max_length');
  if (COMMON_PASSWORDS.has(password.toLowerCase())) throw new WeakPasswordError('common_password');
}
