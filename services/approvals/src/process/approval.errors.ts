import { DomainError } from '@billing/platform';

/** 403 `approval.forbidden_role`: Finance (or a user without a role) never approves or rejects a bill (issue 6). */
export class ForbiddenRoleError extends DomainError {
  constructor(role: string | null) {
    super('approval.forbidden_role', `users with role ${role ?? '(none)'} may not approve or reject bills`, { status: 403 });
  }
}

/** 403 `approval.own_bill`: the user who drafted or submitted a bill never approves or rejects it (issue 6). */
export class OwnBillError extends DomainError {
  constructor(billId: string, how: 'drafted' | 'submitted') {
    super('approval.own_bill', `you ${how} bill ${billId}, so you may not approve or reject it`, { status: 403 });
  }
}

/** 409 `approval.already_acted`: one user approves only one step of a process (issue 6). */
export class AlreadyActedError extends DomainError {
  constructor(billId: string, stepIndex: number) {
    super('approval.already_acted', `you already approved step ${stepIndex + 1} of bill ${billId}'s approval; one user approves only one step`, { status: 409 });
  }
}

/** 409 `approval.waiting_for_previous_step`: the user may approve a later step, but an earlier one is still open. */
export class WaitingForPreviousStepError extends DomainError {
  constructor(billId: string, currentLabel: string) {
    super('approval.waiting_for_previous_step', `bill ${billId} is waiting for the step "${currentLabel}" first`, { status: 409 });
  }
}

/** 403 `approval.not_customer_csm`: the open step needs the customer's own CSM, and the user is not it. */
export class NotCustomerCsmError extends DomainError {
  constructor(billId: string) {
    super('approval.not_customer_csm', `the open step of bill ${billId} must be approved by the customer's own CSM`, { status: 403 });
  }
}

/** 403 `approval.not_eligible`: no open or later step of the process may be approved by the user's role. */
export class NotEligibleError extends DomainError {
  constructor(billId: string, currentLabel: string) {
    super('approval.not_eligible', `you are not an approver of bill ${billId} (the open step needs: ${currentLabel})`, { status: 403 });
  }
}

/** 404 `approval.not_found`: the bill was never submitted for approval (or is unknown). */
export class ApprovalNotFoundError extends DomainError {
  constructor(billId: string) {
    super('approval.not_found', `bill ${billId} has no approval process`, { status: 404 });
  }
}

/** 409 `approval.no_open_process`: the bill's last approval process already ended (approved, rejected or cancelled). */
export class NoOpenProcessError extends DomainError {
  constructor(billId: string, status: string) {
    super('approval.no_open_process', `bill ${billId} has no open approval process (the last one is ${status})`, { status: 409 });
  }
}

/** 400 `approval.comment_required`: a rejection needs a non-blank comment (issue 6). */
export class CommentRequiredError extends DomainError {
  constructor() {
    super('approval.comment_required', 'a rejection needs a comment', { status: 400, errors: [{ field: 'comment', message: 'required: say why the bill is rejected' }] });
  }
}

/** 404 `approval.customer_not_found`: the customer is not known to the approvals service (no CustomerRegistered seen). */
export class CustomerNotFoundError extends DomainError {
  constructor(customerId: string) {
    super('approval.customer_not_found', `customer ${customerId} is not known`, { status: 404 });
  }
}
