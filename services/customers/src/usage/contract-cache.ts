import { Injectable } from '@nestjs/common';

/** A customer's contract dates, as ingestion checks them. */
export interface CustomerContract {
  customerId: string;
  externalKey: string;
  startDate: string;
  endDate: string | null;
}

/** How long a looked-up contract is reused by ingestion, in milliseconds. */
export const CONTRACT_CACHE_TTL_MS = 2_000;

/**
 * Ingestion's short-lived cache of KNOWN customers' contract dates (by id and by external key), so a
 * batch does not look them up again every request. Unknown customers are never cached (a customer
 * registered a moment ago is found at once). This process's own customer writes clear it; a write by
 * another replica is seen after at most {@link CONTRACT_CACHE_TTL_MS}.
 */
@Injectable()
export class ContractCache {
  private readonly entries = new Map<string, { contract: CustomerContract; until: number }>();

  /** The cached contract of `id:<uuid>` or `key:<externalKey>`, when fresh. */
  get(key: string, now = Date.now()): CustomerContract | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until < now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.contract;
  }

  /** Caches a contract under its id and its external key. */
  set(contract: CustomerContract, now = Date.now()): void {
    if (this.entries.size > 100_000) this.entries.clear();
    const entry = { contract, until: now + CONTRACT_CACHE_TTL_MS };
    this.entries.set(`id:${contract.customerId}`, entry);
    this.entries.set(`key:${contract.externalKey}`, entry);
  }

  /** Forgets everything (after a customer write). */
  clear(): void {
    this.entries.clear();
  }
}
