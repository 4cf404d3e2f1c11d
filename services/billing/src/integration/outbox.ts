import { isEventType } from '@billing/contracts';
import type { OutboxMapper, OutboxMessage } from '@billing/messaging';
import type { RecordedEvent } from '@billing/event-store';
import { integrationMessage } from '@billing/service-kit';
import type { BillEvent } from '../bill/bill.decider.js';
import { streamKindOf } from '../read-models/read-models.js';

const money = (amountMinor: string, currency: string) => ({ amountMinor: BigInt(amountMinor), currency });

/**
 * Publishes as `type` (a `billing.v1` message added to proto/ for this service) once the contracts
 * registry knows it; until then returns undefined and the caller falls back to the nearest existing one.
 */
function asNewType(recorded: RecordedEvent, type: string, data: Record<string, unknown>): OutboxMessage | undefined {
  return isEventType(type) ? integrationMessage(recorded, type as never, data as never) : undefined;
}

/**
 * Maps the service's stored events to the `billing.v1` integration events it publishes (topic
 * `billing.bill-events.v1`, key = bill stream id). Only bill streams publish; bill runs and the facts
 * recorded from other contexts stay inside. Actions without a message of their own in `billing.v1`
 * (`BillLineAdded`, `BillLineRemoved`, `BillUsageCorrected`, `BillApprovalStepRecorded`, added to
 * proto/billing/v1 but not yet in the contracts registry) are published as the nearest existing one until
 * the registry lists them: line changes as `BillAdjusted` (new amount, reason naming the line), usage
 * corrections and historic approval steps as `BillCommented`.
 */
export const billingOutbox: OutboxMapper = (recorded: RecordedEvent) => {
  if (streamKindOf(recorded.metadata.streamName) !== 'bill') return null;
  const event = { type: recorded.type, data: recorded.data } as unknown as BillEvent;
  const { billId, actionId } = event.data;
  switch (event.type) {
    case 'BillDrafted': {
      const d = event.data;
      return integrationMessage(recorded, 'billing.v1.BillDrafted', {
        billId,
        actionId,
        customerId: d.customerId,
        period: d.period,
        usageApiCalls: BigInt(d.usageApiCalls),
        includedApiCalls: BigInt(d.includedApiCalls),
        overageUnits: BigInt(d.overageUnits),
        unitPrice: d.unitPrice,
        amount: money(d.amountMinor, d.currency),
      });
    }
    case 'BillAdjusted':
      return integrationMessage(recorded, 'billing.v1.BillAdjusted', {
        billId,
        actionId,
        unitPrice: event.data.unitPrice,
        amount: money(event.data.totalMinor, currencyOf(recorded)),
        reason: event.data.reason,
      });
    case 'BillLineAdded':
    case 'BillLineRemoved': {
      const currency = currencyOf(recorded);
      const specific =
        event.type === 'BillLineAdded'
          ? asNewType(recorded, 'billing.v1.BillLineAdded', {
              billId,
              actionId,
              kind: event.data.kind,
              description: event.data.description,
              quantity: event.data.quantity,
              unitPrice: event.data.unitPrice,
              lineAmount: money(event.data.amountMinor, currency),
              amount: money(event.data.totalMinor, currency),
            })
          : asNewType(recorded, 'billing.v1.BillLineRemoved', { billId, actionId, lineId: event.data.lineId, reason: event.data.reason, amount: money(event.data.totalMinor, currency) });
      if (specific) return specific;
      return integrationMessage(recorded, 'billing.v1.BillAdjusted', {
        billId,
        actionId,
        unitPrice: event.data.billUnitPrice,
        amount: money(event.data.totalMinor, currencyOf(recorded)),
        reason:
          event.type === 'BillLineAdded'
            ? `line added: ${event.data.kind} ${event.data.description} (${event.data.quantity} × ${event.data.unitPrice})`
            : `line ${event.data.lineId} removed: ${event.data.reason}`,
      });
    }
    case 'BillSubmitted': {
      const d = event.data;
      return integrationMessage(recorded, 'billing.v1.BillSubmitted', {
        billId,
        actionId,
        comment: d.comment,
        customerId: d.customerId,
        period: d.period,
        amount: money(d.amountMinor, d.currency),
        overageUnits: BigInt(d.overageUnits),
        includedApiCalls: BigInt(d.includedApiCalls),
        draftedByUserId: d.draftedByUserId,
      });
    }
    case 'BillApproved':
      return integrationMessage(recorded, 'billing.v1.BillApproved', { billId, actionId, comment: event.data.comment });
    case 'BillRejected':
      return integrationMessage(recorded, 'billing.v1.BillRejected', { billId, actionId, comment: event.data.comment });
    case 'BillSent':
      return integrationMessage(recorded, 'billing.v1.BillSent', { billId, actionId, comment: event.data.comment });
    case 'BillVoided':
      return integrationMessage(recorded, 'billing.v1.BillVoided', { billId, actionId, reason: event.data.reason });
    case 'BillCommented':
      return integrationMessage(recorded, 'billing.v1.BillCommented', { billId, actionId, comment: event.data.comment });
    case 'BillApprovalStepRecorded':
      return (
        asNewType(recorded, 'billing.v1.BillApprovalStepRecorded', { billId, actionId, stepIndex: event.data.stepIndex, comment: event.data.comment }) ??
        integrationMessage(recorded, 'billing.v1.BillCommented', { billId, actionId, comment: `approval step ${event.data.stepIndex} approved: ${event.data.comment}` })
      );
    case 'BillUsageCorrected':
      return (
        asNewType(recorded, 'billing.v1.BillUsageCorrected', { billId, actionId, previousApiCalls: BigInt(event.data.previousApiCalls), apiCalls: BigInt(event.data.apiCalls) }) ??
        integrationMessage(recorded, 'billing.v1.BillCommented', { billId, actionId, comment: event.data.comment })
      );
    case 'BillActionReverted':
      return integrationMessage(recorded, 'billing.v1.BillActionReverted', {
        billId,
        actionId,
        revertedActionId: event.data.revertedActionId,
        reason: event.data.reason,
        amount: money(event.data.amountMinor, event.data.currency),
      });
    default:
      return null;
  }
};

/** The currency of a bill event that does not carry one: stored in the event's metadata by the writer. */
function currencyOf(recorded: RecordedEvent): string {
  return String((recorded.metadata as { currency?: string }).currency ?? 'USD');
}
