import { DomainError } from '@billing/platform';
import { firstDayOf, periodOf, sameTerms, type ContractTerms } from './terms.js';

/**
 * The customer aggregate (design §3): a pure decider over the stream `customer-<customerId>`.
 * Lookups (the CSM candidate read from the local users table) come in as command data.
 */

/** The role a customer success manager must hold (`@billing/auth` role code). */
export const CSM_ROLE = 'CustomerSuccess';

/** Free-form customer preferences (e.g. invoice language), kept as given. */
export type Preferences = Record<string, unknown>;

/** What the service knows of the user proposed as CSM: `null` when no such user is known. */
export type CsmCandidate = { userId: string; name: string; role: string | null; active: boolean } | null;

/** One entry of a customer's terms history: the terms in force from `effectiveFrom` (`yyyy-mm-dd`, a first day of month) on. */
export interface TermsEntry {
  effectiveFrom: string;
  terms: ContractTerms;
}

// ---- events (stored as plain JSON) ----

export type CustomerRegistered = {
  type: 'CustomerRegistered';
  data: {
    customerId: string;
    /** Key usage events may name the customer by (the name at registration). */
    externalKey: string;
    name: string;
    billingAddress: string;
    billingEmail: string;
    csmUserId: string | null;
    preferences: Preferences;
    terms: ContractTerms;
  };
};
export type CustomerDetailsChanged = {
  type: 'CustomerDetailsChanged';
  data: { customerId: string; name?: string; billingAddress?: string; billingEmail?: string; preferences?: Preferences };
};
export type CustomerTermsChanged = { type: 'CustomerTermsChanged'; data: { customerId: string; effectiveFrom: string; terms: ContractTerms } };
export type CsmAssigned = { type: 'CsmAssigned'; data: { customerId: string; csmUserId: string } };
export type CustomerEvent = CustomerRegistered | CustomerDetailsChanged | CustomerTermsChanged | CsmAssigned;

// ---- commands ----

export type RegisterCustomer = {
  type: 'RegisterCustomer';
  data: {
    customerId: string;
    name: string;
    billingAddress: string;
    billingEmail: string;
    /** The CSM looked up from `csmUserId`/`csmName`; `undefined` when none was asked for. */
    csm: CsmCandidate | undefined;
    /** The request field that named the CSM (`csmUserId` or `csm`), for the error. */
    csmField?: string;
    preferences: Preferences;
    terms: ContractTerms;
  };
};
export type ChangeCustomerDetails = {
  type: 'ChangeCustomerDetails';
  data: { customerId: string; name?: string; billingAddress?: string; billingEmail?: string; preferences?: Preferences };
};
export type ChangeTerms = { type: 'ChangeTerms'; data: { customerId: string; effectiveFrom: string; terms: ContractTerms } };
export type AssignCsm = { type: 'AssignCsm'; data: { customerId: string; csm: CsmCandidate; csmField?: string } };
export type CustomerCommand = RegisterCustomer | ChangeCustomerDetails | ChangeTerms | AssignCsm;

// ---- state ----

export interface CustomerSnapshot {
  customerId: string;
  externalKey: string;
  name: string;
  billingAddress: string;
  billingEmail: string;
  csmUserId: string | null;
  preferences: Preferences;
  /** Sorted by `effectiveFrom`; the first entry holds the initial terms. */
  termsHistory: TermsEntry[];
}
export type CustomerState = { status: 'none' } | ({ status: 'registered' } & CustomerSnapshot);

export const initialState = (): CustomerState => ({ status: 'none' });

// ---- errors ----

/** 404 `customer.not_found`. */
export class CustomerNotFound extends DomainError {
  constructor(customerId: string) {
    super('customer.not_found', `customer ${customerId} does not exist`, { status: 404 });
  }
}

/** 409 `customer.already_exists`: the customer (id derived from its name) is already registered. */
export class CustomerAlreadyExists extends DomainError {
  constructor(name: string) {
    super('customer.already_exists', `a customer named ${JSON.stringify(name)} is already registered`, { status: 409 });
  }
}

/** 400 `customer.invalid_csm`: the CSM is unknown, inactive or not a Customer Success user; `errors` names the field. */
export class InvalidCsm extends DomainError {
  constructor(field: string, reason: string) {
    super('customer.invalid_csm', `${field}: ${reason}`, { status: 400, errors: [{ field, message: reason }] });
  }
}

/** 400 `customer.invalid_terms_change`: e.g. an effective date before the contract's first month. */
export class InvalidTermsChange extends DomainError {
  constructor(field: string, reason: string) {
    super('customer.invalid_terms_change', `${field}: ${reason}`, { status: 400, errors: [{ field, message: reason }] });
  }
}

/**
 * The CSM rule (issue 4): the CSM must be a known, active user whose role is `CustomerSuccess`.
 * @throws InvalidCsm naming `field` otherwise.
 */
export function assertValidCsm(csm: CsmCandidate, field: string): string {
  if (csm === null) throw new InvalidCsm(field, 'no such user');
  if (!csm.active) throw new InvalidCsm(field, `user ${csm.name} is deactivated`);
  if (csm.role !== CSM_ROLE) throw new InvalidCsm(field, `user ${csm.name} is not a Customer Success user (role ${csm.role ?? 'none'})`);
  return csm.userId;
}

/**
 * The terms in force for `period` (`yyyy-mm`): the latest history entry effective on or before the
 * period's first day; for a period before the first entry, the initial terms (their dates tell the
 * caller the period is outside the contract). Billing applies the same rule to CustomerTermsChanged.
 */
export function termsInForce(history: readonly TermsEntry[], period: string): TermsEntry {
  const first = firstDayOf(period);
  let found = history[0]!;
  for (const entry of history) if (entry.effectiveFrom <= first) found = entry;
  return found;
}

function registered(state: CustomerState, customerId: string): Extract<CustomerState, { status: 'registered' }> {
  if (state.status !== 'registered') throw new CustomerNotFound(customerId);
  return state;
}

/**
 * Decides a command against the customer's state.
 * - RegisterCustomer → CustomerRegistered (+ the CSM rule); `customer.already_exists` when registered.
 * - ChangeCustomerDetails → CustomerDetailsChanged with the fields that differ, or nothing.
 * - ChangeTerms → CustomerTermsChanged, or nothing when the same terms are already in force from that
 *   month and no later change exists; `effectiveFrom` must be a first day of month, not before the
 *   contract's first month.
 * - AssignCsm → CsmAssigned (+ the CSM rule), or nothing when it is already the CSM (even if since deactivated).
 * @throws CustomerNotFound, CustomerAlreadyExists, InvalidCsm, InvalidTermsChange
 */
export function decide(command: CustomerCommand, state: CustomerState): CustomerEvent[] {
  switch (command.type) {
    case 'RegisterCustomer': {
      const { customerId, name, billingAddress, billingEmail, preferences, terms, csm } = command.data;
      if (state.status === 'registered') throw new CustomerAlreadyExists(name);
      const csmUserId = csm === undefined ? null : assertValidCsm(csm, command.data.csmField ?? 'csmUserId');
      return [{ type: 'CustomerRegistered', data: { customerId, externalKey: name, name, billingAddress, billingEmail, csmUserId, preferences, terms } }];
    }
    case 'ChangeCustomerDetails': {
      const current = registered(state, command.data.customerId);
      const changes: CustomerDetailsChanged['data'] = { customerId: current.customerId };
      let changed = false;
      for (const key of ['name', 'billingAddress', 'billingEmail'] as const) {
        const value = command.data[key];
        if (value !== undefined && value !== current[key]) {
          changes[key] = value;
          changed = true;
        }
      }
      if (command.data.preferences !== undefined && JSON.stringify(command.data.preferences) !== JSON.stringify(current.preferences)) {
        changes.preferences = command.data.preferences;
        changed = true;
      }
      return changed ? [{ type: 'CustomerDetailsChanged', data: changes }] : [];
    }
    case 'ChangeTerms': {
      const current = registered(state, command.data.customerId);
      const { effectiveFrom, terms } = command.data;
      if (!/^\d{4}-\d{2}-01$/.test(effectiveFrom)) throw new InvalidTermsChange('effectiveFrom', 'must be the first day of a month (yyyy-mm-01) or a period yyyy-mm');
      const firstMonth = current.termsHistory[0]!.effectiveFrom;
      if (effectiveFrom < firstMonth) throw new InvalidTermsChange('effectiveFrom', `must not be before the contract's first month (${firstMonth.slice(0, 7)})`);
      const inForce = termsInForce(current.termsHistory, periodOf(effectiveFrom));
      const later = current.termsHistory.some((entry) => entry.effectiveFrom > effectiveFrom);
      if (!later && sameTerms(inForce.terms, terms)) return [];
      return [{ type: 'CustomerTermsChanged', data: { customerId: current.customerId, effectiveFrom, terms } }];
    }
    case 'AssignCsm': {
      const current = registered(state, command.data.customerId);
      if (command.data.csm !== null && command.data.csm.userId === current.csmUserId) return [];
      const csmUserId = assertValidCsm(command.data.csm, command.data.csmField ?? 'csmUserId');
      return [{ type: 'CsmAssigned', data: { customerId: current.customerId, csmUserId } }];
    }
  }
}

/** Folds one event into the state (terms history kept sorted; a change on an existing date replaces it). */
export function evolve(state: CustomerState, event: CustomerEvent): CustomerState {
  switch (event.type) {
    case 'CustomerRegistered': {
      const { terms, ...rest } = event.data;
      return { status: 'registered', ...rest, termsHistory: [{ effectiveFrom: firstDayOf(periodOf(terms.startDate)), terms }] };
    }
    case 'CustomerDetailsChanged': {
      if (state.status !== 'registered') return state;
      const { customerId: _id, ...changes } = event.data;
      return { ...state, ...changes };
    }
    case 'CustomerTermsChanged': {
      if (state.status !== 'registered') return state;
      const history = state.termsHistory.filter((entry) => entry.effectiveFrom !== event.data.effectiveFrom);
      history.push({ effectiveFrom: event.data.effectiveFrom, terms: event.data.terms });
      history.sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
      return { ...state, termsHistory: history };
    }
    case 'CsmAssigned':
      return state.status === 'registered' ? { ...state, csmUserId: event.data.csmUserId } : state;
  }
}

/** The customer decider, for `DeciderSpecification` and the command handler. */
export const customerDecider = { decide, evolve, initialState };

/** Stream of a customer: `customer-<customerId>`. */
export const customerStreamId = (customerId: string): string => `customer-${customerId}`;
