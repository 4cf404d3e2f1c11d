import bcrypt from 'bcrypt';

/**
 * bcrypt hashing of passwords (native `bcrypt` package, `$2b$` hashes). The cost comes from
 * `IDENTITY_BCRYPT_COST` (12 by default, issue 3); verification works for any stored cost.
 */
export class PasswordHasher {
  /** A valid hash of a random string, compared against when a user is unknown so the timing does not tell. */
  readonly #dummy: Promise<string>;

  constructor(readonly cost: number) {
    this.#dummy = bcrypt.hash(`dummy-${Math.random()}`, cost);
  }

  /** The bcrypt hash of `password` at this hasher's cost. */
  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  /**
   * Whether `password` matches `hash`; with no hash (unknown user, no password yet) it spends the
   * same time on a dummy hash and answers false.
   */
  async verify(password: string, hash: string | null): Promise<boolean> {
    if (hash === null) {
      await bcrypt.compare(password, await this.#dummy);
      return false;
    }
    return bcrypt.compare(password, hash);
  }
}
