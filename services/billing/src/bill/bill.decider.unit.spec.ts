import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DeciderSpecification } from '@billing/event-store';
import { DomainError } from '@billing/platform';
import { billDecider, decideBill, evolveBill, initialBillState, type BillCommand, type BillEvent, type BillState } from './bill.decider.js';
import type { TermsJson } from './bill.rules.js';

const spec = DeciderSpecification.for<BillCommand, BillEvent, BillState>(billDecider);
const billId = 'c1-2017-10';
const finance = { userId: 'u-fin', role: 'Finance', name: 'Fiona' };
const at = '2017-11-02T10:00:00.000Z';
const terms: TermsJson = {
  monthlyApiLimit: '100000',
  overageUnitPrice: '0.1',
  currency: 'USD',
  startDate: '2017-01-01',
  endDate: null,
  requireCsmApproval: false,
  overageGraceMonths: 3,
  effectiveFrom: '2017-01-01',
};
const cmd = (c: { type: BillCommand['type']; data: Record<string, unknown> }): BillCommand => ({ type: c.type, data: { billId, actor: finance, at, ...c.data } }) as BillCommand;
const draftCmd = (over: Record<string, unknown> = {}) =>
  cmd({ type: 'DraftBill', data: { customerId: 'c1', period: '2017-10', termsHistory: [terms], usageApiCalls: '320000', allowZero: false, ...over } });
const base = (n: number, actor = finance) => ({ billId, actionId: `${billId}.${n}`, actor, at });
const drafted: BillEvent = {
  type: 'BillDrafted',
  data: { ...base(1), customerId: 'c1', period: '2017-10', usageApiCalls: '320000', includedApiCalls: '100000', overageUnits: '220000', unitPrice: '0.1', currency: 'USD', amountMinor: '2200000', terms, comment: null },
};
/** The events a command gives on a history (for building histories). */
const after = (history: BillEvent[], c: BillCommand): BillEvent[] => [...history, ...decideBill(c, history.reduce(evolveBill, initialBillState()))];
const submit = cmd({ type: 'SubmitBill', data: { comment: '' } });
const approve = cmd({ type: 'ApproveBill', data: { comment: '', processId: 'p' } });
const reject = cmd({ type: 'RejectBill', data: { comment: 'no', stepIndex: 0, processId: 'p' } });
const send = cmd({ type: 'SendBill', data: { comment: '' } });
const voidIt = cmd({ type: 'VoidBill', data: { reason: 'dup' } });
const comment = cmd({ type: 'CommentBill', data: { comment: 'hi' } });
const adjust = (unitPrice: string) => cmd({ type: 'AdjustUnitPrice', data: { unitPrice, reason: 'deal' } });
const addLine = cmd({ type: 'AddLine', data: { kind: 'discount', description: 'loyalty', quantity: '1', unitPrice: '100' } });
const revert = (n: number) => cmd({ type: 'RevertAction', data: { revertedActionId: `${billId}.${n}`, reason: 'oops' } });
const pending = after([drafted], submit);
const approved = after(pending, approve);
const sent = after(approved, send);
const voided = after([drafted], voidIt);
const code = (expected: string) => (error: Error) => error instanceof DomainError && error.code === expected;

describe('bill decider: drafting (the generation rule)', () => {
  it('drafts overage units × unit price, rounded once, with the terms used', () => {
    expect(decideBill(draftCmd(), initialBillState())).toEqual([drafted]); // (Emmett's then() cannot compare null fields)
  });
  it.each([
    ['an unknown customer', { termsHistory: null }, 'bill.customer_unknown'],
    ['a period in the future', { period: '2017-11' }, 'bill.period_in_future'],
    ['a month without closed usage', { usageApiCalls: null }, 'bill.usage_not_closed'],
    ['a grace month (3rd calendar month of the contract)', { period: '2017-03' }, 'bill.grace_period'],
    ['a month before the contract start', { termsHistory: [{ ...terms, startDate: '2017-11-01', effectiveFrom: '2017-11-01' }] }, 'bill.contract_inactive'],
    ['a month after the contract end', { termsHistory: [{ ...terms, endDate: '2017-09-30' }] }, 'bill.contract_inactive'],
    ['a zero amount without allowZero', { usageApiCalls: '100000' }, 'bill.zero_amount'],
  ])('refuses %s', (_what, over, expected) => {
    spec([]).when(draftCmd(over)).thenThrows(code(expected));
  });
  it('drafts a zero bill when asked to', () => {
    const [event] = decideBill(draftCmd({ usageApiCalls: '90000', allowZero: true }), initialBillState());
    expect(event).toMatchObject({ type: 'BillDrafted', data: { overageUnits: '0', amountMinor: '0' } });
  });
  it('uses the terms in force for the month (changed from a month on)', () => {
    const changed = { ...terms, overageUnitPrice: '0.05', effectiveFrom: '2017-10-01' };
    const [event] = decideBill(draftCmd({ termsHistory: [terms, changed] }), initialBillState());
    expect(event).toMatchObject({ data: { unitPrice: '0.05', amountMinor: '1100000' } });
  });
  it('rounds half-even once: 3 units × 0.0015 USD = 0.0045 → 0 cents; 5 units → 0.0075 → 1 cent', () => {
    const t = { ...terms, monthlyApiLimit: '0', overageUnitPrice: '0.0015' };
    expect(decideBill(draftCmd({ termsHistory: [t], usageApiCalls: '5' }), initialBillState())[0]!.data).toMatchObject({ amountMinor: '1' });
    spec([]).when(draftCmd({ termsHistory: [t], usageApiCalls: '3' })).thenThrows(code('bill.zero_amount'));
  });
  it('refuses a second draft of the customer-month (409 naming the bill)', () => {
    spec([drafted]).when(draftCmd()).thenThrows((e: Error) => code('bill.already_exists')(e) && e.message.includes(billId));
  });
});

describe('bill decider: status model and preconditions', () => {
  it('adjusts the unit price of a draft and recomputes the amount', () => {
    spec([drafted]).when(adjust('0.01')).then([{ type: 'BillAdjusted', data: { ...base(2), unitPrice: '0.01', amountMinor: '220000', reason: 'deal', totalMinor: '220000' } }]);
  });
  it('refuses a negative or non-numeric unit price', () => {
    spec([drafted]).when(adjust('-1')).thenThrows(code('bill.invalid_unit_price'));
    spec([drafted]).when(adjust('abc')).thenThrows(code('bill.invalid_unit_price'));
  });
  it('adds and removes lines on a draft; discounts are negative', () => {
    const withLine = after([drafted], addLine);
    expect(withLine.reduce(evolveBill, initialBillState()).view.amountMinor).toBe('2190000');
    spec(withLine)
      .when(cmd({ type: 'RemoveLine', data: { lineId: `${billId}.2`, reason: 'no' } }))
      .then([{ type: 'BillLineRemoved', data: { ...base(3), lineId: `${billId}.2`, reason: 'no', billUnitPrice: '0.1', totalMinor: '2200000' } }]);
    spec([drafted]).when(cmd({ type: 'RemoveLine', data: { lineId: 'x', reason: 'no' } })).thenThrows(code('bill.line_not_found'));
  });
  it('submits a draft with what approvals needs', () => {
    spec([drafted])
      .when(submit)
      .then([{ type: 'BillSubmitted', data: { ...base(2), comment: '', customerId: 'c1', period: '2017-10', amountMinor: '2200000', currency: 'USD', overageUnits: '220000', includedApiCalls: '100000', draftedByUserId: 'u-fin' } }]);
  });
  it('records approval steps of a pending bill only', () => {
    const step = cmd({ type: 'RecordApprovalStep', data: { stepIndex: 0, comment: 'CS ok' } });
    spec(pending).when(step).then([{ type: 'BillApprovalStepRecorded', data: { ...base(3), stepIndex: 0, comment: 'CS ok' } }]);
    spec([drafted]).when(step).thenThrows(code('bill.invalid_status'));
    spec(approved).when(step).thenThrows(code('bill.invalid_status'));
  });
  it('approves and rejects a pending bill; rejected goes back to draft', () => {
    spec(pending).when(approve).then([{ type: 'BillApproved', data: { ...base(3), comment: '', processId: 'p' } }]);
    spec(pending).when(reject).then([{ type: 'BillRejected', data: { ...base(3), comment: 'no', stepIndex: 0, processId: 'p' } }]);
    expect(after(pending, reject).reduce(evolveBill, initialBillState()).view.status).toBe('draft');
  });
  it('sends an approved bill, voids from any state but void, comments in any state', () => {
    spec(approved).when(send).then([{ type: 'BillSent', data: { ...base(4), comment: '' } }]);
    for (const history of [[drafted], pending, approved, sent]) expect(decideBill(voidIt, history.reduce(evolveBill, initialBillState()))[0]!.type).toBe('BillVoided');
    spec(voided).when(comment).then([{ type: 'BillCommented', data: { ...base(3), comment: 'hi' } }]);
  });
  it.each([
    ['approving a void bill', voided, approve],
    ['approving a draft', [drafted], approve],
    ['sending an unapproved bill', pending, send],
    ['sending a draft', [drafted], send],
    ['sending a void bill', voided, send],
    ['submitting a pending bill', pending, submit],
    ['rejecting an approved bill', approved, reject],
    ['adjusting a submitted bill', pending, adjust('0.2')],
    ['adding a line to a sent bill', sent, addLine],
    ['voiding a void bill', voided, voidIt],
  ])('refuses %s (bill.invalid_status)', (_what, history, command) => {
    spec(history).when(command).thenThrows(code('bill.invalid_status'));
  });
  it('refuses any command on a bill that does not exist', () => {
    spec([]).when(submit).thenThrows(code('bill.not_found'));
  });
  it('records a usage correction as an action without changing the amount', () => {
    const [event] = decideBill(cmd({ type: 'RecordUsageCorrection', data: { previousApiCalls: '320000', apiCalls: '330000' } }), [drafted].reduce(evolveBill, initialBillState()));
    const state = evolveBill([drafted].reduce(evolveBill, initialBillState()), event!);
    expect(state.view).toMatchObject({ amountMinor: '2200000', usageCorrection: { previousApiCalls: '320000', apiCalls: '330000' } });
  });
});

describe('bill decider: history import', () => {
  const user2 = { userId: 'u2', role: 'Finance', name: 'User2' };
  const user3 = { userId: 'u3', role: 'CustomerSuccess', name: 'User3' };
  const user1 = { userId: 'u1', role: 'Sales', name: 'User1' };
  const importCmd = (over: Record<string, unknown> = {}) =>
    cmd({
      type: 'ImportBill',
      data: {
        actor: user2,
        at: '2017-11-01T00:00:00.000Z',
        customerId: 'c1',
        period: '2017-10',
        terms,
        overageUnits: '220000',
        unitPrice: '0.01',
        currency: 'USD',
        amountMinor: '220000',
        history: [
          { action: 'DRAFT', actor: user2, comment: null },
          { action: 'APPROVE', actor: user3, comment: 'CS ok' },
          { action: 'APPROVE', actor: user1, comment: 'Sales ok' },
          { action: 'SENT', actor: user2, comment: null },
        ],
        ...over,
      },
    });
  it('imports the four actions with their original actors: draft, approval step, approval, sent', () => {
    const events = decideBill(importCmd(), initialBillState());
    expect(events.map((e) => [e.type, e.data.actor.name, e.data.actionId])).toEqual([
      ['BillDrafted', 'User2', `${billId}.1`],
      ['BillApprovalStepRecorded', 'User3', `${billId}.2`],
      ['BillApproved', 'User1', `${billId}.3`],
      ['BillSent', 'User2', `${billId}.4`],
    ]);
    expect(events.reduce(evolveBill, initialBillState()).view).toMatchObject({ status: 'sent', unitPrice: '0.01', amountMinor: '220000' });
  });
  it('refuses an amount that is not units × price, a history not starting with DRAFT, an impossible history, an existing bill', () => {
    spec([]).when(importCmd({ amountMinor: '220001' })).thenThrows(code('bill.import_invalid'));
    spec([]).when(importCmd({ history: [{ action: 'SENT', actor: user2, comment: null }] })).thenThrows(code('bill.import_invalid'));
    spec([])
      .when(importCmd({ history: [{ action: 'DRAFT', actor: user2, comment: null }, { action: 'SENT', actor: user2, comment: null }] }))
      .thenThrows(code('bill.import_invalid'));
    spec([drafted]).when(importCmd()).thenThrows(code('bill.already_exists'));
  });
  it('refuses a line with a zero or malformed quantity', () => {
    spec([drafted]).when(cmd({ type: 'AddLine', data: { kind: 'charge', description: 'x', quantity: '0', unitPrice: '1' } })).thenThrows(code('bill.invalid_quantity'));
  });
});

describe('bill decider: reverting actions', () => {
  it('reverting a send brings the bill back to approved; the revert can be reverted', () => {
    spec(sent).when(revert(4)).then([{ type: 'BillActionReverted', data: { ...base(5), revertedActionId: `${billId}.4`, reason: 'oops', amountMinor: '2200000', currency: 'USD' } }]);
    const reverted = after(sent, revert(4));
    expect(reverted.reduce(evolveBill, initialBillState()).view.status).toBe('approved');
    const reRevert = after(reverted, revert(5));
    expect(reRevert.reduce(evolveBill, initialBillState())).toMatchObject({ view: { status: 'sent' }, reverted: [`${billId}.5`] });
  });
  it('reverting an adjustment restores the price and amount', () => {
    const h = after(after([drafted], adjust('0.01')), revert(2));
    expect(h.reduce(evolveBill, initialBillState()).view).toMatchObject({ unitPrice: '0.1', amountMinor: '2200000' });
  });
  it('refuses an unknown action, an already reverted one, the draft, and a revert that breaks the history', () => {
    spec(sent).when(revert(9)).thenThrows(code('bill.action_not_found'));
    spec(after(sent, revert(4))).when(revert(4)).thenThrows(code('bill.action_already_reverted'));
    spec(sent).when(revert(1)).thenThrows(code('bill.action_not_revertible'));
    spec(sent).when(revert(2)).thenThrows(code('bill.revert_conflict')); // un-submitting a sent bill: approval without submission
  });
});

describe('bill decider: properties (fast-check)', () => {
  const commands = [submit, approve, reject, send, comment, adjust('0.05'), adjust('0.2'), addLine, voidIt];
  /** A random valid history: at each step one of the commands the decider accepts. */
  const history = fc.array(fc.nat({ max: 1000 }), { maxLength: 12 }).map((picks) => {
    let events: BillEvent[] = [drafted];
    for (const pick of picks) {
      const state = events.reduce(evolveBill, initialBillState());
      const allowed = commands.flatMap((c) => {
        try {
          return [decideBill(c, state)];
        } catch {
          return [];
        }
      });
      if (allowed.length === 0) break;
      events = [...events, ...allowed[pick % allowed.length]!];
    }
    return events;
  });

  it('any sequence of actions, then reverting them in reverse order, gives back the drafted state', () => {
    const draftedView = [drafted].reduce(evolveBill, initialBillState()).view;
    fc.assert(
      fc.property(history, (events) => {
        let all = events;
        for (let n = events.length; n >= 2; n--) all = after(all, revert(n));
        expect(all.reduce(evolveBill, initialBillState()).view).toEqual(draftedView);
      }),
      { numRuns: 200 },
    );
  });

  it('the state at version n equals the fold of the first n events', () => {
    fc.assert(
      fc.property(history, fc.nat(), (events, cut) => {
        const n = events.length === 0 ? 0 : cut % (events.length + 1);
        let state = initialBillState();
        const states = [state];
        for (const event of events) states.push((state = evolveBill(state, event)));
        expect(states[n]).toEqual(events.slice(0, n).reduce(evolveBill, initialBillState()));
      }),
    );
  });
});
