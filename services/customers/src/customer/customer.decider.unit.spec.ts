import { describe, expect, it } from '@jest/globals';
import { DeciderSpecification } from '@billing/event-store';
import {
  customerDecider,
  CustomerAlreadyExists,
  CustomerNotFound,
  InvalidCsm,
  InvalidTermsChange,
  termsInForce,
  type CustomerCommand,
  type CustomerEvent,
  type CustomerRegistered,
} from './customer.decider.js';
import type { ContractTerms } from './terms.js';

/**
 * Emmett's `then` compares with a subset check that cannot hold `null` values (open-ended end dates,
 * no CSM), so event outcomes are asserted with jest's deep equality; errors and no-ops use the spec.
 */
const decided = (events: CustomerEvent[], command: CustomerCommand) => ({
  then: (expected: CustomerEvent[]) => expect(customerDecider.decide(command, events.reduce(customerDecider.evolve, customerDecider.initialState()))).toEqual(expected),
});
const given = DeciderSpecification.for<CustomerCommand, CustomerEvent, ReturnType<typeof customerDecider.initialState>>(customerDecider);

const id = 'c0ffee00-0000-5000-8000-000000000001';
const terms: ContractTerms = { monthlyApiLimit: 100000, overageUnitPrice: '0.1', currency: 'USD', startDate: '2017-01-01', endDate: null, requireCsmApproval: false, overageGraceMonths: 3 };
const csm = { userId: 'u3', name: 'User3', role: 'CustomerSuccess', active: true };
const registered: CustomerRegistered = {
  type: 'CustomerRegistered',
  data: { customerId: id, externalKey: 'Customer1', name: 'Customer1', billingAddress: '1 Way', billingEmail: 'ap@c1.test', csmUserId: 'u3', preferences: {}, terms },
};
const register = (data: Partial<Extract<CustomerCommand, { type: 'RegisterCustomer' }>['data']> = {}): CustomerCommand => ({
  type: 'RegisterCustomer',
  data: { customerId: id, name: 'Customer1', billingAddress: '1 Way', billingEmail: 'ap@c1.test', csm, preferences: {}, terms, ...data },
});

describe('customer decider', () => {
  describe('RegisterCustomer', () => {
    it('registers a new customer with its CSM and initial terms', () => decided([], register()).then([registered]));
    it('registers without a CSM', () => decided([], register({ csm: undefined })).then([{ ...registered, data: { ...registered.data, csmUserId: null } }]));
    it('refuses a second registration', () => given([registered]).when(register()).thenThrows(CustomerAlreadyExists));
    it.each([
      ['an unknown user', null],
      ['a Sales user', { ...csm, role: 'Sales' }],
      ['a user without a role', { ...csm, role: null }],
      ['a deactivated user', { ...csm, active: false }],
    ])('refuses %s as CSM, naming the field', (_what, candidate) =>
      given([])
        .when(register({ csm: candidate, csmField: 'csm' }))
        .thenThrows<InvalidCsm>((error) => error instanceof InvalidCsm && error.errors?.[0]?.field === 'csm'),
    );
  });

  describe('ChangeCustomerDetails', () => {
    it('records only what differs', () =>
      given([registered])
        .when({ type: 'ChangeCustomerDetails', data: { customerId: id, name: 'Customer1', billingEmail: 'new@c1.test' } })
        .then([{ type: 'CustomerDetailsChanged', data: { customerId: id, billingEmail: 'new@c1.test' } }]));
    it('does nothing when nothing differs', () =>
      given([registered]).when({ type: 'ChangeCustomerDetails', data: { customerId: id, billingAddress: '1 Way', preferences: {} } }).thenNothingHappened());
    it('refuses an unknown customer', () => given([]).when({ type: 'ChangeCustomerDetails', data: { customerId: id, name: 'x' } }).thenThrows(CustomerNotFound));
  });

  describe('ChangeTerms', () => {
    const may = { ...terms, monthlyApiLimit: 500000 };
    const changed: CustomerEvent = { type: 'CustomerTermsChanged', data: { customerId: id, effectiveFrom: '2017-05-01', terms: may } };
    it('records new terms from the first day of a month', () =>
      decided([registered], { type: 'ChangeTerms', data: { customerId: id, effectiveFrom: '2017-05-01', terms: may } }).then([changed]));
    it('does nothing when the same terms are in force from that month', () =>
      given([registered, changed]).when({ type: 'ChangeTerms', data: { customerId: id, effectiveFrom: '2017-05-01', terms: may } }).thenNothingHappened());
    it('refuses a date that is not a first day of month', () =>
      given([registered]).when({ type: 'ChangeTerms', data: { customerId: id, effectiveFrom: '2017-05-02', terms: may } }).thenThrows(InvalidTermsChange));
    it("refuses a date before the contract's first month", () =>
      given([registered]).when({ type: 'ChangeTerms', data: { customerId: id, effectiveFrom: '2016-12-01', terms: may } }).thenThrows(InvalidTermsChange));
    it('refuses an unknown customer', () => given([]).when({ type: 'ChangeTerms', data: { customerId: id, effectiveFrom: '2017-05-01', terms: may } }).thenThrows(CustomerNotFound));
  });

  describe('AssignCsm', () => {
    const user4 = { userId: 'u4', name: 'User4', role: 'CustomerSuccess', active: true };
    it('assigns another Customer Success user', () =>
      given([registered]).when({ type: 'AssignCsm', data: { customerId: id, csm: user4 } }).then([{ type: 'CsmAssigned', data: { customerId: id, csmUserId: 'u4' } }]));
    it('does nothing when the user already is the CSM', () => given([registered]).when({ type: 'AssignCsm', data: { customerId: id, csm } }).thenNothingHappened());
    it('refuses a user who is not Customer Success', () =>
      given([registered]).when({ type: 'AssignCsm', data: { customerId: id, csm: { ...user4, role: 'Finance' } } }).thenThrows(InvalidCsm));
    it('refuses an unknown customer', () => given([]).when({ type: 'AssignCsm', data: { customerId: id, csm: user4 } }).thenThrows(CustomerNotFound));
  });
});

describe('termsInForce', () => {
  const history = [
    { effectiveFrom: '2017-01-01', terms },
    { effectiveFrom: '2017-05-01', terms: { ...terms, monthlyApiLimit: 500000 } },
  ];
  it('uses a change effective in May for May and later, not for April', () => {
    expect(termsInForce(history, '2017-04').terms.monthlyApiLimit).toBe(100000);
    expect(termsInForce(history, '2017-05').terms.monthlyApiLimit).toBe(500000);
    expect(termsInForce(history, '2018-01').terms.monthlyApiLimit).toBe(500000);
  });
  it('gives the initial terms for a month before the contract', () => {
    expect(termsInForce(history, '2016-10').effectiveFrom).toBe('2017-01-01');
  });
});
