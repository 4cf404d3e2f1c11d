import { describe, expect, it } from '@jest/globals';
import { PasswordHasher } from './password-hasher.js';
import { assertStrongPassword, WeakPasswordError } from './password-policy.js';

function ruleOf(password: string): string | undefined {
  try {
    assertStrongPassword(password);
    return undefined;
  } catch (error) {
    return error instanceof WeakPasswordError ? error.rule : 'other';
  }
}

describe('password rules', () => {
  it('refuses fewer than 12 characters, counting code points', () => {
    expect(ruleOf('short-pass1')).toBe('min_length');
    expect(ruleOf('ééééééééééé')).toBe('min_length');
    expect(ruleOf('a quiet harbour at dusk')).toBeUndefined();
  });

  it('refuses a common password whatever its case', () => {
    expect(ruleOf('Password1234')).toBe('common_password');
    expect(ruleOf('QWERTYUIOPASDF')).toBe('common_password');
  });

  it('refuses what bcrypt would truncate (over 72 bytes)', () => {
    expect(ruleOf('x'.repeat(73))).toBe('max_length');
  });

  it('names the rule in the problem', () => {
    const error = new WeakPasswordError('common_password');
    expect(error.code).toBe('identity.weak_password');
    expect(error.status).toBe(400);
    expect(error.errors).toEqual([{ field: 'password', message: 'common_password: the password is one of the most common passwords' }]);
  });
});

describe('bcrypt hasher', () => {
  it('hashes at cost 12 by default configuration and verifies', async () => {
    const hasher = new PasswordHasher(12);
    const hash = await hasher.hash('a quiet harbour at dusk');
    expect(hash).toMatch(/^\$2b\$12\$/);
    expect(await hasher.verify('a quiet harbour at dusk', hash)).toBe(true);
    expect(await hasher.verify('a quiet harbour at dawn', hash)).toBe(false);
    expect(await hasher.verify('anything', null)).toBe(false);
  });
});
