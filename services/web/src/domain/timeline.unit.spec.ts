import { describe, expect, it } from '@jest/globals';
import type { ApprovalDetail, BillAction } from '../app/types';
import { buildTimeline } from './timeline';

const at = (minute: number) => `2017-11-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
const user = (userId: string, role: string) => ({ userId, name: userId.toUpperCase(), role });
const act = (version: number, type: string, actor: ReturnType<typeof user>, minute: number, comment: string | null = null): BillAction => ({
  actionId: `a${version}`,
  version,
  type,
  actor,
  at: at(minute),
  comment,
  reverted: false,
  revertedBy: null,
  details: {},
});
const finance = user('u2', 'Finance');
const csm = user('u3', 'CustomerSuccess');
const sales = user('u1', 'Sales');

const approval = (history: ApprovalDetail['current']['history']): ApprovalDetail => ({
  billId: 'b',
  current: {
    processId: 'p1',
    billId: 'b',
    status: 'approved',
    customerId: 'c',
    period: '2017-10',
    amount: { amountMinor: '1', currency: 'USD' },
    submittedBy: finance,
    openedAt: at(1),
    openStepIndex: null,
    steps: [
      { index: 0, label: "Customer's CSM", status: 'approved', actedBy: csm, actedAt: at(2), comment: 'csm ok' },
      { index: 1, label: 'Sales', status: 'approved', actedBy: sales, actedAt: at(3), comment: 'sales ok' },
    ],
    history,
  },
  past: [],
});

const history: ApprovalDetail['current']['history'] = [
  { action: 'submitted', at: at(1), actor: finance, stepIndex: null, comment: '' },
  { action: 'step_approved', at: at(2), actor: csm, stepIndex: 0, comment: 'csm ok' },
  { action: 'step_approved', at: at(3), actor: sales, stepIndex: 1, comment: 'sales ok' },
  { action: 'approved', at: at(3), actor: sales, stepIndex: null, comment: 'sales ok' },
];

describe('buildTimeline', () => {
  it('adds the approval steps billing lacks and fills the missing approval comment, in time order', () => {
    const actions = [act(1, 'BillDrafted', finance, 0), act(2, 'BillSubmitted', finance, 1), act(3, 'BillApproved', sales, 3), act(4, 'BillSent', finance, 4)];
    const timeline = buildTimeline(actions, approval(history));
    expect(timeline.map((e) => [e.type, e.actor?.name, e.comment])).toEqual([
      ['BillDrafted', 'U2', null],
      ['BillSubmitted', 'U2', null],
      ['ApprovalStepApproved', 'U3', 'csm ok'],
      ['BillApproved', 'U1', 'sales ok'],
      ['BillSent', 'U2', null],
    ]);
    expect(timeline[2]!.label).toBe("Approved (Customer's CSM)");
    expect(timeline[2]!.action).toBeUndefined();
  });

  it('adds nothing when billing records every step, and keeps billing’s own comments', () => {
    const actions = [act(1, 'BillDrafted', finance, 0), act(2, 'BillSubmitted', finance, 1), act(3, 'BillApprovalStepRecorded', csm, 2, 'from billing'), act(4, 'BillApproved', sales, 3, 'sales ok')];
    const timeline = buildTimeline(actions, approval(history));
    expect(timeline.map((e) => e.type)).toEqual(['BillDrafted', 'BillSubmitted', 'BillApprovalStepRecorded', 'BillApproved']);
    expect(timeline[2]!.comment).toBe('from billing');
  });

  it('leaves out approval facts after the shown version’s last action (as of)', () => {
    const actions = [act(1, 'BillDrafted', finance, 0), act(2, 'BillSubmitted', finance, 1)];
    expect(buildTimeline(actions, approval(history), at(1)).map((e) => e.type)).toEqual(['BillDrafted', 'BillSubmitted']);
  });

  it('shows the bill actions alone when there is no approval process', () => {
    expect(buildTimeline([act(1, 'BillDrafted', finance, 0)], undefined).map((e) => e.type)).toEqual(['BillDrafted']);
  });

  it('adds a rejection that billing lacks, with its comment', () => {
    const actions = [act(1, 'BillDrafted', finance, 0), act(2, 'BillSubmitted', finance, 1)];
    const rejected = approval([history[0]!, { action: 'rejected', at: at(5), actor: csm, stepIndex: 0, comment: 'wrong price' }]);
    const timeline = buildTimeline(actions, rejected);
    expect(timeline.at(-1)).toMatchObject({ type: 'ApprovalRejected', comment: 'wrong price', label: "Rejected (Customer's CSM)" });
  });
});
