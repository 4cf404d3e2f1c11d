/**
 * Usage domain events as stored (plain JSON: API call counts are decimal strings, never BigInt).
 * Published as the `customers.v1` integration events of the same names (see `outbox.ts`).
 */

/** API calls were added to an open period (one per customer and period touched by a batch or a total). */
export type UsageRecordedEvent = {
  type: 'UsageRecorded';
  data: { customerId: string; period: string; apiCalls: string; periodTotal: string };
};
/** A period was closed with its final total. */
export type UsagePeriodClosedEvent = { type: 'UsagePeriodClosed'; data: { customerId: string; period: string; apiCalls: string } };
/** The total of a closed period changed (late events, a new monthly total), or an open total was lowered. */
export type UsageCorrectedEvent = {
  type: 'UsageCorrected';
  data: { customerId: string; period: string; previousApiCalls: string; apiCalls: string };
};
export type UsageEvent = UsageRecordedEvent | UsagePeriodClosedEvent | UsageCorrectedEvent;

/** Stream of the monthly-total changes and closes of one customer-period: `usage-<customerId>-<yyyy-mm>`. */
export const usagePeriodStreamId = (customerId: string, period: string): string => `usage-${customerId}-${period}`;

/** Stream of one ingestion batch (its UsageRecorded/UsageCorrected events): `usagebatch-<batchId>`. */
export const usageBatchStreamId = (batchId: string): string => `usagebatch-${batchId}`;
