import { describe, expect, it } from '@jest/globals';
import { DeciderSpecification } from '@billing/event-store';
import { DEFAULT_POLICY, REQUIRE_CSM_POLICY, type ApprovalPolicy } from '../policy/policy.js';
import {
  AlreadyActedError,
  ApprovalNotFoundError,
  CommentRequiredError,
  ForbiddenRoleError,
  NoOpenProcessError,
  NotCustomerCsmError,
  NotEligibleError,
  OwnBillError,
  WaitingForPreviousStepError,
} from './approval.errors.js';
import {
  decide,
  evolve,
  initialState,
  type ApprovalActor,
  type ApprovalCommand,
  type ApprovalEvent,
  type ApprovalProcessOpened,
  type ApproveBill,
  type OpenApproval,
  type RejectBill,
} from './approval.decider.js';

const given = DeciderSpecification.for<ApprovalCommand, ApprovalEvent, ReturnType<typeof initialState>>({ decide, evolve, initialState });

const NOW = '2026-11-21T10:00:00.000Z';
const billId = 'bill-1';
const finance: ApprovalActor = { userId: 'user-1', role: 'Finance', name: 'User1' };
const drafter: ApprovalActor = { userId: 'user-2', role: 'Finance', name: 'User2' };
const csm: ApprovalActor = { userId: 'user-3', role: 'CustomerSuccess', name: 'User3' };
const otherCs: ApprovalActor = { userId: 'user-4', role: 'CustomerSuccess', name: 'User4' };
const sales: ApprovalActor = { userId: 'user-5', role: 'Sales', name: 'User5' };
const sales2: ApprovalActor = { userId: 'user-6', role: 'Sales', name: 'User6' };
const admin: ApprovalActor = { userId: 'user-7', role: 'Admin', name: 'User7' };

function openCommand(policy: ApprovalPolicy, overrides: Partial<OpenApproval['data']> = {}): OpenApproval {
  return {
    type: 'OpenApproval',
    data: {
      processId: 'process-1',
      billId,
      submitActionId: 'action-submit-1',
      customerId: 'customer-2',
      period: '2026-10',
      amount: { amountMinor: '220000', currency: 'USD' },
      overageUnits: '220000',
      includedApiCalls: '1000000',
      draftedByUserId: drafter.userId,
      submittedBy: finance,
      comment: 'please approve',
      policy,
      csmUserId: csm.userId,
      now: NOW,
      ...overrides,
    },
  };
}

/** The ApprovalProcessOpened event `openCommand(policy)` yields. */
function opened(policy: ApprovalPolicy, overrides: Partial<OpenApproval['data']> = {}): ApprovalProcessOpened {
  const events = decide(openCommand(policy, overrides), initialState());
  return events[0] as ApprovalProcessOpened;
}

const approveBy = (actor: ApprovalActor, comment = '', currentCsmUserId: string | null = csm.userId): ApproveBill => ({
  type: 'ApproveBill',
  data: { billId, actor, comment, currentCsmUserId, now: NOW },
});
const rejectBy = (actor: ApprovalActor, comment: string): RejectBill => ({ type: 'RejectBill', data: { billId, actor, comment, currentCsmUserId: csm.userId, now: NOW } });

const stepApproved = (stepIndex: number, approver: ApprovalActor, comment = ''): ApprovalEvent => ({
  type: 'ApprovalStepApproved',
  data: { processId: 'process-1', billId, stepIndex, approver, comment, approvedAt: NOW },
});

describe('approval decider: opening a process on BillSubmitted', () => {
  it('opens a one-step "Sales or Customer Success" process under the default policy', () => {
    given([])
      .when(openCommand(DEFAULT_POLICY))
      .then([
        {
          type: 'ApprovalProcessOpened',
          data: {
            processId: 'process-1',
            generation: 1,
            billId,
            submitActionId: 'action-submit-1',
            customerId: 'customer-2',
            period: '2026-10',
            amount: { amountMinor: '220000', currency: 'USD' },
            overageUnits: '220000',
            includedApiCalls: '1000000',
            draftedByUserId: drafter.userId,
            submittedBy: finance,
            submitComment: 'please approve',
            policySource: 'default',
            steps: [{ index: 0, approver: { kind: 'roles', roles: ['Sales', 'CustomerSuccess'] }, label: 'Sales or Customer Success' }],
            openedAt: NOW,
          },
        },
      ]);
  });

  it('opens two steps in order under require_csm_approval: the customer’s CSM (resolved to its user), then Sales', () => {
    expect(opened(REQUIRE_CSM_POLICY).data.steps).toEqual([
      { index: 0, approver: { kind: 'customer_csm', csmUserId: csm.userId }, label: "Customer's CSM" },
      { index: 1, approver: { kind: 'roles', roles: ['Sales'] }, label: 'Sales' },
    ]);
  });

  it('skips a custom step whose condition does not hold, keeps the one whose condition holds', () => {
    const policy: ApprovalPolicy = {
      source: 'custom',
      steps: [
        { approver: { kind: 'roles', roles: ['Sales'] } },
        { approver: { kind: 'roles', roles: ['Admin'] }, condition: { kind: 'amount_at_least', amountMinor: '1000000', currency: 'USD' } },
        { approver: { kind: 'customer_csm' }, condition: { kind: 'overage_at_least_percent', percent: '20' } },
      ],
    };
    // 220000 overage units are 22 % of 1,000,000 included calls (≥ 20 %); 2,200.00 USD < 10,000.00 USD.
    expect(opened(policy).data.steps.map((step) => step.label)).toEqual(['Sales', "Customer's CSM"]);
    expect(opened(policy, { amount: { amountMinor: '1000000', currency: 'USD' }, overageUnits: '199999' }).data.steps.map((step) => step.label)).toEqual(['Sales', 'Admin']);
  });

  it('grants at once when no step applies', () => {
    const policy: ApprovalPolicy = { source: 'custom', steps: [{ approver: { kind: 'roles', roles: ['Sales'] }, condition: { kind: 'amount_at_least', amountMinor: '999999999', currency: 'USD' } }] };
    given([])
      .when(openCommand(policy))
      .then([
        { ...opened(policy), data: { ...opened(policy).data, steps: [] } },
        { type: 'ApprovalProcessGranted', data: { processId: 'process-1', billId, approvedSteps: 0, comment: 'no approval step applies to this bill', grantedAt: NOW } },
      ]);
  });

  it('ignores the same submission delivered again', () => {
    given([opened(DEFAULT_POLICY)]).when(openCommand(DEFAULT_POLICY)).thenNothingHappened();
  });

  it('opens a new process (generation 2) on resubmission after a rejection', () => {
    const rejected: ApprovalEvent = {
      type: 'ApprovalProcessRejected',
      data: { processId: 'process-1', billId, stepIndex: 0, rejectedBy: sales, comment: 'wrong price', rejectedAt: NOW },
    };
    const events = decide(openCommand(DEFAULT_POLICY, { processId: 'process-2', submitActionId: 'action-submit-2' }), [opened(DEFAULT_POLICY), rejected].reduce(evolve, initialState()));
    expect(events.map((event) => event.type)).toEqual(['ApprovalProcessOpened']);
    expect(events[0]!.data).toMatchObject({ processId: 'process-2', generation: 2, submitActionId: 'action-submit-2' });
  });

  it('cancels a still-open process when the bill is submitted again, then opens the new one', () => {
    const events = decide(openCommand(DEFAULT_POLICY, { processId: 'process-2', submitActionId: 'action-submit-2' }), evolve(initialState(), opened(DEFAULT_POLICY)));
    expect(events.map((event) => event.type)).toEqual(['ApprovalProcessCancelled', 'ApprovalProcessOpened']);
    expect(events[0]!.data).toMatchObject({ processId: 'process-1', reason: 'resubmitted' });
  });
});

describe('approval decider: approving', () => {
  it('approves the single default step by Sales and grants the bill', () => {
    given([opened(DEFAULT_POLICY)])
      .when(approveBy(sales, ' looks right '))
      .then([stepApproved(0, sales, 'looks right'), { type: 'ApprovalProcessGranted', data: { processId: 'process-1', billId, approvedSteps: 1, comment: 'looks right', grantedAt: NOW } }]);
  });

  it('approves the single default step by Customer Success too', () => {
    given([opened(DEFAULT_POLICY)])
      .when(approveBy(otherCs))
      .then([stepApproved(0, otherCs), { type: 'ApprovalProcessGranted', data: { processId: 'process-1', billId, approvedSteps: 1, comment: '', grantedAt: NOW } }]);
  });

  it('CSM step first: the customer’s CSM approves step 1 and the process waits for Sales', () => {
    given([opened(REQUIRE_CSM_POLICY)]).when(approveBy(csm, 'ok from CSM')).then([stepApproved(0, csm, 'ok from CSM')]);
  });

  it('then Sales approves step 2 and the bill is granted', () => {
    given([opened(REQUIRE_CSM_POLICY), stepApproved(0, csm)])
      .when(approveBy(sales))
      .then([stepApproved(1, sales), { type: 'ApprovalProcessGranted', data: { processId: 'process-1', billId, approvedSteps: 2, comment: '', grantedAt: NOW } }]);
  });

  it('refuses Sales before the CSM step: 409 approval.waiting_for_previous_step', () => {
    given([opened(REQUIRE_CSM_POLICY)])
      .when(approveBy(sales))
      .thenThrows(WaitingForPreviousStepError, (error) => error.code === 'approval.waiting_for_previous_step' && error.status === 409);
  });

  it('refuses a Customer Success user who is not the customer’s CSM on the CSM step: 403 approval.not_customer_csm', () => {
    given([opened(REQUIRE_CSM_POLICY)])
      .when(approveBy(otherCs))
      .thenThrows(NotCustomerCsmError, (error) => error.code === 'approval.not_customer_csm' && error.status === 403);
  });

  it('uses the CSM at approval time when none was known at submission', () => {
    given([opened(REQUIRE_CSM_POLICY, { csmUserId: null })]).when(approveBy(otherCs, '', otherCs.userId)).then([stepApproved(0, otherCs)]);
    given([opened(REQUIRE_CSM_POLICY, { csmUserId: null })]).when(approveBy(csm, '', null)).thenThrows(NotCustomerCsmError);
  });

  it('keeps the CSM of the snapshot even when the customer’s CSM changed since submission', () => {
    given([opened(REQUIRE_CSM_POLICY)]).when(approveBy(otherCs, '', otherCs.userId)).thenThrows(NotCustomerCsmError);
  });

  it('refuses Finance, always: 403 approval.forbidden_role', () => {
    given([opened(DEFAULT_POLICY)])
      .when(approveBy({ ...finance, userId: 'user-9' }))
      .thenThrows(ForbiddenRoleError, (error) => error.code === 'approval.forbidden_role' && error.status === 403);
    given([]).when(approveBy({ ...finance, userId: 'user-9' })).thenThrows(ForbiddenRoleError);
  });

  it('refuses a user without a granted role: 403 approval.forbidden_role', () => {
    given([opened(DEFAULT_POLICY)]).when(approveBy({ userId: 'user-9', role: null, name: 'Nobody' })).thenThrows(ForbiddenRoleError);
  });

  it('refuses the user who drafted the bill: 403 approval.own_bill', () => {
    given([opened(DEFAULT_POLICY, { draftedByUserId: sales.userId })])
      .when(approveBy(sales))
      .thenThrows(OwnBillError, (error) => error.code === 'approval.own_bill' && error.status === 403);
  });

  it('refuses the user who submitted the bill: 403 approval.own_bill', () => {
    given([opened(DEFAULT_POLICY, { submittedBy: sales })])
      .when(approveBy(sales))
      .thenThrows(OwnBillError, (error) => error.message.includes('submitted'));
  });

  it('refuses the same user approving a second step: 409 approval.already_acted', () => {
    const policy: ApprovalPolicy = { source: 'custom', steps: [{ approver: { kind: 'roles', roles: ['Sales'] } }, { approver: { kind: 'roles', roles: ['Sales'] } }] };
    given([opened(policy), stepApproved(0, sales)])
      .when(approveBy(sales))
      .thenThrows(AlreadyActedError, (error) => error.code === 'approval.already_acted' && error.status === 409);
    given([opened(policy), stepApproved(0, sales)]).when(approveBy(sales2)).then([stepApproved(1, sales2), { type: 'ApprovalProcessGranted', data: { processId: 'process-1', billId, approvedSteps: 2, comment: '', grantedAt: NOW } }]);
  });

  it('refuses the CSM approving again after their step: 409 approval.already_acted', () => {
    given([opened(REQUIRE_CSM_POLICY), stepApproved(0, csm)]).when(approveBy(csm)).thenThrows(AlreadyActedError);
  });

  it('refuses a role no step names: 403 approval.not_eligible (Admin under the default policy)', () => {
    given([opened(DEFAULT_POLICY)])
      .when(approveBy(admin))
      .thenThrows(NotEligibleError, (error) => error.code === 'approval.not_eligible' && error.status === 403);
  });

  it('answers 404 approval.not_found for a bill never submitted', () => {
    given([]).when(approveBy(sales)).thenThrows(ApprovalNotFoundError, (error) => error.code === 'approval.not_found' && error.status === 404);
  });

  it('answers 409 approval.no_open_process once the process ended', () => {
    given([opened(DEFAULT_POLICY), stepApproved(0, sales), { type: 'ApprovalProcessGranted', data: { processId: 'process-1', billId, approvedSteps: 1, comment: '', grantedAt: NOW } }])
      .when(approveBy(sales2))
      .thenThrows(NoOpenProcessError, (error) => error.code === 'approval.no_open_process' && error.status === 409);
  });
});

describe('approval decider: rejecting', () => {
  it('rejects at the open step with the comment, ending the process', () => {
    given([opened(REQUIRE_CSM_POLICY), stepApproved(0, csm)])
      .when(rejectBy(sales, '  overage looks wrong '))
      .then([{ type: 'ApprovalProcessRejected', data: { processId: 'process-1', billId, stepIndex: 1, rejectedBy: sales, comment: 'overage looks wrong', rejectedAt: NOW } }]);
  });

  it('needs a non-blank comment: 400 approval.comment_required', () => {
    given([opened(DEFAULT_POLICY)])
      .when(rejectBy(sales, '   '))
      .thenThrows(CommentRequiredError, (error) => error.code === 'approval.comment_required' && error.status === 400);
  });

  it('applies the approvers’ rules: Finance, the submitter, and Sales before the CSM step are refused', () => {
    given([opened(DEFAULT_POLICY)]).when(rejectBy({ ...finance, userId: 'user-9' }, 'no')).thenThrows(ForbiddenRoleError);
    given([opened(DEFAULT_POLICY, { submittedBy: sales })]).when(rejectBy(sales, 'no')).thenThrows(OwnBillError);
    given([opened(REQUIRE_CSM_POLICY)]).when(rejectBy(sales, 'no')).thenThrows(WaitingForPreviousStepError);
  });

  it('answers 409 approval.no_open_process after a rejection', () => {
    given([opened(DEFAULT_POLICY), { type: 'ApprovalProcessRejected', data: { processId: 'process-1', billId, stepIndex: 0, rejectedBy: sales, comment: 'no', rejectedAt: NOW } }])
      .when(approveBy(sales2))
      .thenThrows(NoOpenProcessError);
  });
});

describe('approval decider: cancelling', () => {
  const cancelled = (reason: 'bill_voided' | 'submission_reverted', actionId: string): ApprovalEvent => ({
    type: 'ApprovalProcessCancelled',
    data: { processId: 'process-1', billId, reason, actionId, detail: 'why', cancelledAt: NOW },
  });

  it('cancels the open process when the bill is voided', () => {
    given([opened(DEFAULT_POLICY)])
      .when({ type: 'CancelApproval', data: { billId, reason: 'bill_voided', actionId: 'action-void', revertedActionId: null, detail: 'why', now: NOW } })
      .then([cancelled('bill_voided', 'action-void')]);
  });

  it('cancels it when the submission is reverted, not when another action is', () => {
    given([opened(DEFAULT_POLICY)])
      .when({ type: 'CancelApproval', data: { billId, reason: 'submission_reverted', actionId: 'action-revert', revertedActionId: 'action-submit-1', detail: 'why', now: NOW } })
      .then([cancelled('submission_reverted', 'action-revert')]);
    given([opened(DEFAULT_POLICY)])
      .when({ type: 'CancelApproval', data: { billId, reason: 'submission_reverted', actionId: 'action-revert', revertedActionId: 'action-adjust', detail: 'why', now: NOW } })
      .thenNothingHappened();
  });

  it('does nothing when no process is open', () => {
    given([]).when({ type: 'CancelApproval', data: { billId, reason: 'bill_voided', actionId: 'a', revertedActionId: null, detail: '', now: NOW } }).thenNothingHappened();
  });

  it('refuses approvals after a cancellation: 409 approval.no_open_process', () => {
    given([opened(DEFAULT_POLICY), cancelled('bill_voided', 'action-void')]).when(approveBy(sales)).thenThrows(NoOpenProcessError);
  });
});
