import { quoteIdentifier, type SqlQueryable } from '@billing/database';
import { TooManyAttemptsError } from '../errors.js';

/** Limits of {@link LoginThrottle}. */
export interface ThrottleLimits {
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  windowSeconds: number;
}

/**
 * Login throttling per account and per client address, counted in the `login_failures` table so it
 * holds across processes: when the failures of the last `windowSeconds` reach the limit for either,
 * further attempts get 429 `identity.too_many_attempts` with `Retry-After` = seconds until the oldest
 * counted failure leaves the window. A successful login clears the account's failures.
 */
export class LoginThrottle {
  readonly #s: string;

  constructor(
    private readonly db: SqlQueryable,
    schema: string,
    private readonly limits: ThrottleLimits,
  ) {
    this.#s = quoteIdentifier(schema);
  }

  /** @throws TooManyAttemptsError when the account or the address is over its limit. */
  async check(accountKey: string, address: string, now: Date): Promise<void> {
    const since = new Date(now.getTime() - this.limits.windowSeconds * 1000).toISOString();
    const rows = await this.db.query<{ kind: string; n: string; oldest: string | null }>(
      `WITH account AS (SELECT failed_at FROM ${this.#s}.login_failures WHERE account_key = $1 AND failed_at > $3 ORDER BY failed_at DESC LIMIT $4),
            address AS (SELECT failed_at FROM ${this.#s}.login_failures WHERE address = $2 AND failed_at > $3 ORDER BY failed_at DESC LIMIT $5)
       SELECT 'account' AS kind, count(*)::text AS n, min(failed_at)::text AS oldest FROM account
       UNION ALL
       SELECT 'address', count(*)::text, min(failed_at)::text FROM address`,
      [accountKey, address, since, this.limits.maxFailuresPerAccount, this.limits.maxFailuresPerAddress],
    );
    let retryAfter = 0;
    for (const row of rows.rows) {
      const limit = row.kind === 'account' ? this.limits.maxFailuresPerAccount : this.limits.maxFailuresPerAddress;
      if (Number(row.n) >= limit && row.oldest) {
        const until = new Date(row.oldest).getTime() + this.limits.windowSeconds * 1000;
        retryAfter = Math.max(retryAfter, Math.max(1, Math.ceil((until - now.getTime()) / 1000)));
      }
    }
    if (retryAfter > 0) throw new TooManyAttemptsError(retryAfter);
  }

  /** Counts a failed login (and forgets failures older than a day). */
  async recordFailure(accountKey: string, address: string, now: Date): Promise<void> {
    await this.db.query(`INSERT INTO ${this.#s}.login_failures (account_key, address, failed_at) VALUES ($1, $2, $3)`, [accountKey, address, now.toISOString()]);
    await this.db.query(`DELETE FROM ${this.#s}.login_failures WHERE failed_at < $1`, [new Date(now.getTime() - Math.max(86_400, this.limits.windowSeconds) * 1000).toISOString()]);
  }

  /** Clears the account's failures after a successful login. */
  async recordSuccess(accountKey: string): Promise<void> {
    await this.db.query(`DELETE FROM ${this.#s}.login_failures WHERE account_key = $1`, [accountKey]);
  }
}
