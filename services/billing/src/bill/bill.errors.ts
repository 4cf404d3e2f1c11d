import { DomainError } from '@billing/platform';

/**
 * The billing context's refusals, each with a stable code (`bill.<reason>`) and HTTP status, answered as
 * RFC 9457 problem details by the platform's filter. Raised by the bill decider (business rules) and by
 * the HTTP layer (versions, lookups).
 */
export class BillError extends DomainError {}

/** 404 `bill.not_found`: no bill (stream) with that id. */
export const billNotFound = (billId: string) => new BillError('bill.not_found', `bill ${billId} does not exist`, { status: 404 });
/** 409 `bill.already_exists`: one bill per customer-month; names the existing bill. */
export const billAlreadyExists = (billId: string) => new BillError('bill.already_exists', `bill ${billId} already exists for this customer and month`, { status: 409 });
/** 404 `bill.customer_unknown`: billing has never heard of the customer (no `CustomerRegistered`). */
export const customerUnknown = (customerId: string) => new BillError('bill.customer_unknown', `customer ${customerId} is unknown`, { status: 404 });
/** 422 `bill.usage_not_closed`: no closed usage total for the customer-month (unknown period). */
export const usageNotClosed = (customerId: string, period: string) =>
  new BillError('bill.usage_not_closed', `no closed usage for customer ${customerId} in ${period}`, { status: 422 });
/** 422 `bill.period_in_future`: the month has not ended yet. */
export const periodInFuture = (period: string) => new BillError('bill.period_in_future', `period ${period} has not ended yet`, { status: 422 });
/** 422 `bill.contract_inactive`: the month is before the contract's start or after its end. */
export const contractInactive = (period: string) => new BillError('bill.contract_inactive', `the contract does not cover ${period}`, { status: 422 });
/** 422 `bill.grace_period`: the month is one of the contract's first `overage_grace_months`. */
export const gracePeriod = (period: string, months: number) =>
  new BillError('bill.grace_period', `${period} is within the contract's first ${months} grace month(s): no overage bill`, { status: 422 });
/** 422 `bill.zero_amount`: the bill would be zero and `allowZero` was not asked for. */
export const zeroAmount = (period: string) => new BillError('bill.zero_amount', `the bill for ${period} would be zero; ask with allowZero: true to draft it anyway`, { status: 422 });
/** 409 `bill.invalid_status`: the action is not allowed in the bill's current status (e.g. sending an unapproved bill). */
export const invalidStatus = (action: string, status: string) =>
  new BillError('bill.invalid_status', `cannot ${action} a bill in status ${status}`, { status: 409 });
/** 404 `bill.action_not_found`: no action with that id on the bill. */
export const actionNotFound = (actionId: string) => new BillError('bill.action_not_found', `action ${actionId} does not exist on this bill`, { status: 404 });
/** 409 `bill.action_already_reverted`: the action's effect is already undone. */
export const actionAlreadyReverted = (actionId: string) => new BillError('bill.action_already_reverted', `action ${actionId} is already reverted`, { status: 409 });
/** 422 `bill.action_not_revertible`: the draft itself cannot be reverted (void the bill instead), nor can a comment. */
export const actionNotRevertible = (actionId: string, why: string) => new BillError('bill.action_not_revertible', `action ${actionId} cannot be reverted: ${why}`, { status: 422 });
/** 409 `bill.revert_conflict`: undoing the action would leave an impossible history (e.g. a send without its approval). */
export const revertConflict = (actionId: string, why: string) => new BillError('bill.revert_conflict', `reverting ${actionId} would leave an invalid bill: ${why}`, { status: 409 });
/** 404 `bill.line_not_found`. */
export const lineNotFound = (lineId: string) => new BillError('bill.line_not_found', `line ${lineId} does not exist on this bill`, { status: 404 });
/** 400 `bill.invalid_unit_price`: not a non-negative decimal string. */
export const invalidUnitPrice = (value: unknown) => new BillError('bill.invalid_unit_price', `unitPrice must be a non-negative decimal string such as "0.01", got ${JSON.stringify(value)}`, { status: 400 });
/** 412 `bill.version_mismatch`: `If-Match` named a version other than the bill's current one. */
export const versionMismatch = (expected: bigint, current: bigint) =>
  new BillError('bill.version_mismatch', `If-Match names version ${expected}, the bill is at version ${current}`, { status: 412 });
/** 409 `bill.concurrent_update`: another request changed the bill at the same time, twice in a row. */
export const concurrentUpdate = (billId: string) => new BillError('bill.concurrent_update', `bill ${billId} was changed concurrently; reload and retry`, { status: 409 });
