import { describe, expect, it } from '@jest/globals';
import type { ApprovalStep, BillAction, BillStatus, Role } from '../app/types';
import { actionLabel, billCommands, canRevertAction, mayDecideOpenStep, statusLabel } from './bill-actions';

const STATUSES: BillStatus[] = ['draft', 'pending_approval', 'approved', 'sent', 'void'];
const ROLES: Role[] = ['Finance', 'CustomerSuccess', 'Sales', 'Admin'];

const action = (type: string, reverted = false): BillAction => ({
  actionId: `a-${type}`,
  version: 1,
  type,
  actor: { userId: 'u2', role: 'Finance', name: 'User2' },
  at: '2017-11-01T10:00:00.000Z',
  comment: null,
  reverted,
  revertedBy: null,
  details: {},
});

describe('billCommands (buttons of the bill page from role and status)', () => {
  it.each([
    ['Finance', 'draft', ['adjust', 'submit', 'void', 'revert', 'comment']],
    ['Finance', 'pending_approval', ['void', 'revert', 'comment']],
    ['Finance', 'approved', ['send', 'void', 'revert', 'comment']],
    ['Finance', 'sent', ['void', 'revert', 'comment']],
    ['Finance', 'void', ['revert', 'comment']],
    ['CustomerSuccess', 'draft', ['comment']],
    ['CustomerSuccess', 'pending_approval', ['approve', 'reject', 'comment']],
    ['Sales', 'pending_approval', ['approve', 'reject', 'comment']],
    ['Sales', 'approved', ['comment']],
    ['Sales', 'sent', ['comment']],
    ['Admin', 'pending_approval', ['approve', 'reject', 'comment']],
    ['Admin', 'approved', ['comment']],
  ] as [Role, BillStatus, string[]][])('%s on a %s bill: %j', (role, status, expected) => {
    expect(billCommands(role, status)).toEqual(expected);
  });

  it('never offers "send" to Sales or Customer Success, in any status', () => {
    for (const role of ['Sales', 'CustomerSuccess'] as Role[]) for (const status of STATUSES) expect(billCommands(role, status)).not.toContain('send');
  });

  it('never offers "approve" or "reject" to Finance, in any status', () => {
    for (const status of STATUSES) {
      expect(billCommands('Finance', status)).not.toContain('approve');
      expect(billCommands('Finance', status)).not.toContain('reject');
    }
  });

  it('offers the Finance-only commands (adjust, submit, send, void, revert) to no other role', () => {
    for (const role of ROLES.filter((r) => r !== 'Finance'))
      for (const status of STATUSES) expect(billCommands(role, status).filter((c) => ['adjust', 'submit', 'send', 'void', 'revert'].includes(c))).toEqual([]);
  });

  it('offers nothing to a user without a role, nor on an earlier version ("as of")', () => {
    expect(billCommands(null, 'draft')).toEqual([]);
    expect(billCommands(undefined, 'pending_approval')).toEqual([]);
    for (const role of ROLES) for (const status of STATUSES) expect(billCommands(role, status, { asOf: true })).toEqual([]);
  });
});

describe('canRevertAction', () => {
  const finance = billCommands('Finance', 'sent');
  it('lets Finance revert a send, an approval, a submission, an adjustment, a void', () => {
    for (const type of ['BillSent', 'BillApproved', 'BillSubmitted', 'BillAdjusted', 'BillVoided']) expect(canRevertAction(finance, action(type))).toBe(true);
  });
  it('never offers to revert the draft, a comment or an action already reverted', () => {
    expect(canRevertAction(finance, action('BillDrafted'))).toBe(false);
    expect(canRevertAction(finance, action('BillCommented'))).toBe(false);
    expect(canRevertAction(finance, action('BillSent', true))).toBe(false);
  });
  it('never offers a revert to the other roles', () => {
    expect(canRevertAction(billCommands('Sales', 'sent'), action('BillSent'))).toBe(false);
    expect(canRevertAction(billCommands('Admin', 'sent'), action('BillSent'))).toBe(false);
  });
});

describe('labels', () => {
  it('names bill events and statuses for people, and shows unknown ones as they are', () => {
    expect(actionLabel('BillSent')).toBe('Sent');
    expect(actionLabel('BillActionReverted')).toBe('Action reverted');
    expect(actionLabel('SomethingNew')).toBe('SomethingNew');
    expect(statusLabel('pending_approval')).toBe('Pending approval');
    expect(statusLabel('archived')).toBe('archived');
  });
});

describe('mayDecideOpenStep (is the open approval step mine?)', () => {
  const process = (approver: ApprovalStep['approver'], openStepIndex: number | null = 0) => ({
    openStepIndex,
    steps: [{ index: 0, label: 'step', status: 'open' as const, actedBy: null, actedAt: null, comment: null, approver }],
  });
  const csmStep = process({ kind: 'customer_csm', csm: { userId: 'u3', name: 'User3', role: 'CustomerSuccess' } });
  it('a CSM step is the named CSM’s only', () => {
    expect(mayDecideOpenStep(csmStep, { userId: 'u3', role: 'CustomerSuccess' })).toBe(true);
    expect(mayDecideOpenStep(csmStep, { userId: 'u4', role: 'CustomerSuccess' })).toBe(false);
    expect(mayDecideOpenStep(csmStep, { userId: 'u1', role: 'Sales' })).toBe(false);
  });
  it('a roles step is for those roles', () => {
    const sales = process({ kind: 'roles', roles: ['Sales'] });
    expect(mayDecideOpenStep(sales, { userId: 'u1', role: 'Sales' })).toBe(true);
    expect(mayDecideOpenStep(sales, { userId: 'u3', role: 'CustomerSuccess' })).toBe(false);
  });
  it('cannot tell without a process, an open step or approver details (the service then decides)', () => {
    expect(mayDecideOpenStep(undefined, { userId: 'u1', role: 'Sales' })).toBeUndefined();
    expect(mayDecideOpenStep(process({ kind: 'roles', roles: ['Sales'] }, null), { userId: 'u1', role: 'Sales' })).toBeUndefined();
    expect(mayDecideOpenStep(process(undefined), { userId: 'u1', role: 'Sales' })).toBeUndefined();
  });
  it('hides approve and reject when the open step is someone else’s, and only then', () => {
    expect(billCommands('Sales', 'pending_approval', { mayDecide: false })).toEqual(['comment']);
    expect(billCommands('Sales', 'pending_approval', { mayDecide: true })).toEqual(['approve', 'reject', 'comment']);
    expect(billCommands('Sales', 'pending_approval', { mayDecide: undefined })).toEqual(['approve', 'reject', 'comment']);
  });
});
