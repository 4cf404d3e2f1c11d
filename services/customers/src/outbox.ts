import type { RecordedEvent } from '@billing/event-store';
import type { OutboxMessage } from '@billing/messaging';
import { integrationMessage } from '@billing/service-kit';
import { customerStreamId, type CustomerEvent } from './customer/customer.decider.js';
import type { ContractTerms } from './customer/terms.js';
import type { UsageEvent } from './usage/usage.events.js';

/** `customers.v1.ContractTerms` of stored terms. */
function contractTerms(terms: ContractTerms) {
  return {
    monthlyApiLimit: BigInt(terms.monthlyApiLimit),
    overageUnitPrice: terms.overageUnitPrice,
    currency: terms.currency,
    startDate: terms.startDate,
    ...(terms.endDate === null ? {} : { endDate: terms.endDate }),
    requireCsmApproval: terms.requireCsmApproval,
    overageGraceMonths: terms.overageGraceMonths,
  };
}

/** Keys a usage message by its customer's stream, so one customer's events stay in order on one partition. */
function byCustomer(message: OutboxMessage, customerId: string): OutboxMessage {
  return { ...message, message: { ...message.message, key: customerStreamId(customerId) } };
}

/**
 * The customers service's outbox: stored domain events → `customers.v1` integration events
 * (CustomerRegistered with its initial terms, CustomerTermsChanged, CsmAssigned, UsageRecorded,
 * UsagePeriodClosed, UsageCorrected). CustomerDetailsChanged stays internal (no contract yet). Usage
 * events are keyed by the customer's stream id (`customer-<id>`).
 */
export function customersOutbox(event: RecordedEvent): OutboxMessage | null {
  const e = event as unknown as CustomerEvent | UsageEvent;
  switch (e.type) {
    case 'CustomerRegistered': {
      const d = e.data;
      return integrationMessage(event, 'customers.v1.CustomerRegistered', {
        customerId: d.customerId,
        name: d.name,
        billingAddress: d.billingAddress,
        billingEmail: d.billingEmail,
        ...(d.csmUserId === null ? {} : { csmUserId: d.csmUserId }),
        terms: contractTerms(d.terms),
      });
    }
    case 'CustomerTermsChanged':
      return integrationMessage(event, 'customers.v1.CustomerTermsChanged', { customerId: e.data.customerId, effectiveFrom: e.data.effectiveFrom, terms: contractTerms(e.data.terms) });
    case 'CsmAssigned':
      return integrationMessage(event, 'customers.v1.CsmAssigned', { customerId: e.data.customerId, csmUserId: e.data.csmUserId });
    case 'UsageRecorded':
      return byCustomer(
        integrationMessage(event, 'customers.v1.UsageRecorded', {
          customerId: e.data.customerId,
          period: e.data.period,
          apiCalls: BigInt(e.data.apiCalls),
          periodTotalApiCalls: BigInt(e.data.periodTotal),
        }),
        e.data.customerId,
      );
    case 'UsagePeriodClosed':
      return byCustomer(
        integrationMessage(event, 'customers.v1.UsagePeriodClosed', { customerId: e.data.customerId, period: e.data.period, apiCalls: BigInt(e.data.apiCalls) }),
        e.data.customerId,
      );
    case 'UsageCorrected':
      return byCustomer(
        integrationMessage(event, 'customers.v1.UsageCorrected', {
          customerId: e.data.customerId,
          period: e.data.period,
          previousApiCalls: BigInt(e.data.previousApiCalls),
          apiCalls: BigInt(e.data.apiCalls),
        }),
        e.data.customerId,
      );
    default:
      return null;
  }
}
