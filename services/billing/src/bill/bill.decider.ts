import { lineAmount, parseDecimal } from '@billing/money';
import {
  actionAlreadyReverted,
  actionNotFound,
  actionNotRevertible,
  billAlreadyExists,
  billNotFound,
  BillError,
  contractInactive,
  customerUnknown,
  gracePeriod,
  invalidStatus,
  invalidUnitPrice,
  lineNotFound,
  periodInFuture,
  revertConflict,
  usageNotClosed,
  zeroAmount,
} from './bill.errors.js';
import { generateBill, isPeriodInFuture, termsInForce, type TermsJson } from './bill.rules.js';

/** Who performed an action: user id, role code and display name at the time. */
export interface ActorJson {
  userId: string;
  role: string;
  name: string;
}

/** Status of a bill (design §1): draft → pending_approval → approved → sent; rejected → draft; void from any. */
export type BillStatus = 'draft' | 'pending_approval' | 'approved' | 'sent' | 'void';

/** Fields every BillAction event carries: the action's deterministic id `<billId>.<n>`, its actor and time. */
interface ActionBase {
  billId: string;
  actionId: string;
  actor: ActorJson;
  /** When the action happened, ISO 8601 UTC (from the command). */
  at: string;
}

/** Kind of an extra bill line. Discounts are negative amounts. */
export type LineKind = 'charge' | 'discount' | 'surcharge';

/** The bill's domain events (the BillActions), stored as plain JSON (amounts as minor-unit strings). */
export type BillEvent =
  | {
      type: 'BillDrafted';
      data: ActionBase & {
        customerId: string;
        period: string;
        usageApiCalls: string;
        includedApiCalls: string;
        overageUnits: string;
        unitPrice: string;
        currency: string;
        amountMinor: string;
        /** The terms in force for the month that the bill was generated with. */
        terms: TermsJson | null;
        comment: string | null;
        /** Set when the bill came from the history import. */
        imported?: boolean;
      };
    }
  | { type: 'BillAdjusted'; data: ActionBase & { unitPrice: string; amountMinor: string; reason: string; totalMinor: string } }
  | {
      type: 'BillLineAdded';
      data: ActionBase & { lineId: string; kind: LineKind; description: string; quantity: string; unitPrice: string; amountMinor: string; billUnitPrice: string; totalMinor: string };
    }
  | { type: 'BillLineRemoved'; data: ActionBase & { lineId: string; reason: string; billUnitPrice: string; totalMinor: string } }
  | { type: 'BillSubmitted'; data: ActionBase & { comment: string } & SubmissionFacts }
  | { type: 'BillApprovalStepRecorded'; data: ActionBase & { stepIndex: number; comment: string } }
  | { type: 'BillApproved'; data: ActionBase & { comment: string; processId: string } }
  | { type: 'BillRejected'; data: ActionBase & { comment: string; stepIndex: number; processId: string } }
  | { type: 'BillSent'; data: ActionBase & { comment: string } }
  | { type: 'BillVoided'; data: ActionBase & { reason: string } }
  | { type: 'BillCommented'; data: ActionBase & { comment: string } }
  | { type: 'BillUsageCorrected'; data: ActionBase & { previousApiCalls: string; apiCalls: string; comment: string } }
  | { type: 'BillActionReverted'; data: ActionBase & { revertedActionId: string; reason: string; amountMinor: string; currency: string } };

/** What a submission tells the approvals service (its policies' inputs), as of the submission. */
export interface SubmissionFacts {
  customerId: string;
  period: string;
  amountMinor: string;
  currency: string;
  overageUnits: string;
  includedApiCalls: string;
  draftedByUserId: string;
}

export type BillEventType = BillEvent['type'];
/** Every bill event type (the outbox and projections switch on them). */
export const BILL_EVENT_TYPES: readonly BillEventType[] = [
  'BillDrafted',
  'BillAdjusted',
  'BillLineAdded',
  'BillLineRemoved',
  'BillSubmitted',
  'BillApprovalStepRecorded',
  'BillApproved',
  'BillRejected',
  'BillSent',
  'BillVoided',
  'BillCommented',
  'BillUsageCorrected',
  'BillActionReverted',
];

/** An extra line of a bill. */
export interface BillLine {
  lineId: string;
  kind: LineKind;
  description: string;
  quantity: string;
  unitPrice: string;
  amountMinor: string;
}

/** The effect of the effective (not reverted) actions. */
export interface BillView {
  status: BillStatus;
  unitPrice: string;
  /** Overage amount (units × unit price), minor units. */
  overageAmountMinor: string;
  lines: BillLine[];
  /** Total due: overage amount plus lines, minor units. */
  amountMinor: string;
  /** The last usage correction recorded after drafting, if any. */
  usageCorrection: { previousApiCalls: string; apiCalls: string } | null;
}

/** A bill's state: its draft, every action in order, what is reverted, and the effective view. */
export interface BillState {
  /** Stream version = number of actions. */
  version: number;
  draft: Extract<BillEvent, { type: 'BillDrafted' }>['data'] | null;
  actions: BillEvent[];
  /** Ids of actions whose effect is undone (by an effective revert). */
  reverted: string[];
  view: BillView;
}

/** Before the first action. */
export const initialBillState = (): BillState => ({
  version: 0,
  draft: null,
  actions: [],
  reverted: [],
  view: { status: 'draft', unitPrice: '0', overageAmountMinor: '0', lines: [], amountMinor: '0', usageCorrection: null },
});

/** The stream of bill `billId` (`<customerId>-<yyyy-mm>`): `bill-<billId>`. */
export const billStreamId = (billId: string): string => `bill-${billId}`;
/** The bill id of a customer-month. */
export const billIdOf = (customerId: string, period: string): string => `${customerId}-${period}`;
/** The period of a bill id: its last 7 characters. */
export const periodOfBillId = (billId: string): string => billId.slice(-7);
/** The customer id of a bill id (everything before `-<yyyy-mm>`). */
export const customerOfBillId = (billId: string): string => billId.slice(0, -8);

/** Status an action leads to from `status`, or null when the action is not allowed there. */
export function nextStatus(status: BillStatus | 'none', type: BillEventType): BillStatus | null {
  switch (type) {
    case 'BillDrafted':
      return status === 'none' ? 'draft' : null;
    case 'BillAdjusted':
    case 'BillLineAdded':
    case 'BillLineRemoved':
      return status === 'draft' ? 'draft' : null;
    case 'BillSubmitted':
      return status === 'draft' ? 'pending_approval' : null;
    case 'BillApprovalStepRecorded':
      return status === 'draft' || status === 'pending_approval' ? 'pending_approval' : null;
    case 'BillApproved':
      return status === 'pending_approval' ? 'approved' : null;
    case 'BillRejected':
      return status === 'pending_approval' ? 'draft' : null;
    case 'BillSent':
      return status === 'approved' ? 'sent' : null;
    case 'BillVoided':
      return status === 'none' || status === 'void' ? null : 'void';
    case 'BillCommented':
    case 'BillUsageCorrected':
      return status === 'none' ? null : status;
    case 'BillActionReverted':
      return status === 'none' ? null : status;
  }
}

const total = (view: Pick<BillView, 'overageAmountMinor' | 'lines'>): string =>
  view.lines.reduce((sum, line) => sum + BigInt(line.amountMinor), BigInt(view.overageAmountMinor)).toString();

/**
 * Applies one non-revert action's effect to a view. With `strict`, returns an error message instead when
 * the action is not allowed in the view's status (used to check that a revert leaves a valid history).
 */
function applyEffect(view: BillView | null, event: BillEvent, strict: boolean): BillView | string {
  const status = nextStatus(view === null ? 'none' : view.status, event.type);
  if (status === null && strict) return `${event.data.actionId} (${event.type}) is not allowed in status ${view?.status ?? 'none'}`;
  const base: BillView = view ?? initialBillState().view;
  const next: BillView = { ...base, status: status ?? base.status };
  switch (event.type) {
    case 'BillDrafted':
      next.unitPrice = event.data.unitPrice;
      next.overageAmountMinor = event.data.amountMinor;
      next.lines = [];
      next.usageCorrection = null;
      break;
    case 'BillAdjusted':
      next.unitPrice = event.data.unitPrice;
      next.overageAmountMinor = event.data.amountMinor;
      break;
    case 'BillLineAdded': {
      const { lineId, kind, description, quantity, unitPrice, amountMinor } = event.data;
      next.lines = [...base.lines, { lineId, kind, description, quantity, unitPrice, amountMinor }];
      break;
    }
    case 'BillLineRemoved':
      if (strict && !base.lines.some((line) => line.lineId === event.data.lineId)) return `line ${event.data.lineId} is no longer on the bill`;
      next.lines = base.lines.filter((line) => line.lineId !== event.data.lineId);
      break;
    case 'BillUsageCorrected':
      next.usageCorrection = { previousApiCalls: event.data.previousApiCalls, apiCalls: event.data.apiCalls };
      break;
    default:
      break;
  }
  next.amountMinor = total(next);
  return next;
}

/**
 * The effective view of a history: reverts are resolved from the last action backwards (an action is
 * undone when an effective revert names it; a revert can itself be reverted), then the remaining
 * actions are folded in order.
 * @returns the view and the reverted ids, or an error message (strict mode) when the remaining actions
 *   do not form a valid history.
 */
export function deriveView(actions: readonly BillEvent[], strict = false): { view: BillView; reverted: string[] } | string {
  const cancelled = new Set<string>();
  for (let i = actions.length - 1; i >= 0; i--) {
    const action = actions[i]!;
    if (cancelled.has(action.data.actionId)) continue;
    if (action.type === 'BillActionReverted') cancelled.add(action.data.revertedActionId);
  }
  let view: BillView | null = null;
  for (const action of actions) {
    if (action.type === 'BillActionReverted' || cancelled.has(action.data.actionId)) continue;
    const next = applyEffect(view, action, strict);
    if (typeof next === 'string') return next;
    view = next;
  }
  return { view: view ?? initialBillState().view, reverted: actions.filter((a) => cancelled.has(a.data.actionId)).map((a) => a.data.actionId) };
}

/** Folds one action into the state (never fails: events are facts). */
export function evolveBill(state: BillState, event: { type: string; data: unknown }): BillState {
  const action = event as BillEvent;
  const actions = [...state.actions, action];
  const draft = action.type === 'BillDrafted' ? action.data : state.draft;
  if (action.type === 'BillActionReverted') {
    const derived = deriveView(actions) as { view: BillView; reverted: string[] };
    return { version: state.version + 1, draft, actions, reverted: derived.reverted, view: derived.view };
  }
  const view = applyEffect(state.draft === null ? null : state.view, action, false) as BillView;
  return { version: state.version + 1, draft, actions, reverted: state.reverted, view };
}

/** Common command fields: who acts and when (time comes in as data; the decider reads no clock). */
interface CommandBase {
  billId: string;
  actor: ActorJson;
  /** ISO 8601 UTC. */
  at: string;
}

/** The bill's commands. */
export type BillCommand =
  | {
      type: 'DraftBill';
      data: CommandBase & {
        customerId: string;
        period: string;
        /** The customer's terms history; null when the customer is unknown. */
        termsHistory: TermsJson[] | null;
        /** The month's closed usage total; null when the month is not closed. */
        usageApiCalls: string | null;
        allowZero: boolean;
        comment?: string | null;
      };
    }
  | {
      type: 'ImportBill';
      data: CommandBase & {
        customerId: string;
        period: string;
        terms: TermsJson | null;
        overageUnits: string;
        unitPrice: string;
        currency: string;
        amountMinor: string;
        /** The original actions in order: DRAFT first, then APPROVE…, SENT; each with its actor. */
        history: { action: 'DRAFT' | 'APPROVE' | 'SENT' | 'COMMENT'; actor: ActorJson; comment: string | null }[];
      };
    }
  | { type: 'AdjustUnitPrice'; data: CommandBase & { unitPrice: string; reason: string } }
  | { type: 'AddLine'; data: CommandBase & { kind: LineKind; description: string; quantity: string; unitPrice: string } }
  | { type: 'RemoveLine'; data: CommandBase & { lineId: string; reason: string } }
  | { type: 'SubmitBill'; data: CommandBase & { comment: string } }
  | { type: 'RecordApprovalStep'; data: CommandBase & { stepIndex: number; comment: string } }
  | { type: 'ApproveBill'; data: CommandBase & { comment: string; processId: string } }
  | { type: 'RejectBill'; data: CommandBase & { comment: string; stepIndex: number; processId: string } }
  | { type: 'SendBill'; data: CommandBase & { comment: string } }
  | { type: 'VoidBill'; data: CommandBase & { reason: string } }
  | { type: 'CommentBill'; data: CommandBase & { comment: string } }
  | { type: 'RecordUsageCorrection'; data: CommandBase & { previousApiCalls: string; apiCalls: string } }
  | { type: 'RevertAction'; data: CommandBase & { revertedActionId: string; reason: string } };

const VERBS: Record<BillEventType, string> = {
  BillDrafted: 'draft',
  BillAdjusted: 'adjust',
  BillLineAdded: 'add a line to',
  BillLineRemoved: 'remove a line from',
  BillSubmitted: 'submit',
  BillApprovalStepRecorded: 'record an approval step on',
  BillApproved: 'approve',
  BillRejected: 'reject',
  BillSent: 'send',
  BillVoided: 'void',
  BillCommented: 'comment on',
  BillUsageCorrected: 'record a usage correction on',
  BillActionReverted: 'revert an action of',
};

function parsePrice(value: string): string {
  try {
    return parseDecimal(value, { field: 'unitPrice' });
  } catch {
    throw invalidUnitPrice(value);
  }
}

/**
 * Decides a bill command against the bill's state (pure: time, the customer's terms and the usage total
 * come in the command). Action ids are `<billId>.<n>` for the n-th action of the stream.
 * @returns the events to append (never empty)
 * @throws BillError (see `bill.errors.ts`) when a precondition fails; nothing is to be appended then.
 */
export function decideBill(command: BillCommand, state: BillState): BillEvent[] {
  const { billId, actor, at } = command.data;
  const base = (offset = 1): ActionBase => ({ billId, actionId: `${billId}.${state.version + offset}`, actor, at });

  if (command.type === 'DraftBill') {
    const c = command.data;
    if (state.draft !== null) throw billAlreadyExists(billId);
    if (c.termsHistory === null || c.termsHistory.length === 0) throw customerUnknown(c.customerId);
    if (isPeriodInFuture(c.period, at)) throw periodInFuture(c.period);
    if (c.usageApiCalls === null) throw usageNotClosed(c.customerId, c.period);
    const terms = termsInForce(c.termsHistory, c.period);
    const outcome = generateBill({ period: c.period, usageApiCalls: BigInt(c.usageApiCalls), terms, allowZero: c.allowZero });
    if (outcome.kind === 'skip') {
      if (outcome.reason === 'contract_inactive') throw contractInactive(c.period);
      if (outcome.reason === 'grace_period') throw gracePeriod(c.period, terms.overageGraceMonths);
      throw zeroAmount(c.period);
    }
    return [
      {
        type: 'BillDrafted',
        data: {
          ...base(),
          customerId: c.customerId,
          period: c.period,
          usageApiCalls: outcome.usageApiCalls.toString(),
          includedApiCalls: outcome.includedApiCalls.toString(),
          overageUnits: outcome.overageUnits.toString(),
          unitPrice: outcome.unitPrice,
          currency: outcome.currency,
          amountMinor: outcome.amountMinor.toString(),
          terms,
          comment: c.comment ?? null,
        },
      },
    ];
  }

  if (command.type === 'ImportBill') {
    const c = command.data;
    if (state.draft !== null) throw billAlreadyExists(billId);
    const [first, ...rest] = c.history;
    if (!first || first.action !== 'DRAFT') throw new BillError('bill.import_invalid', 'the history must start with a DRAFT action', { status: 422 });
    const unitPrice = parsePrice(c.unitPrice);
    const expected = lineAmount(BigInt(c.overageUnits), unitPrice, c.currency).amountMinor.toString();
    if (expected !== c.amountMinor) {
      throw new BillError('bill.import_invalid', `amount ${c.amountMinor} is not overage units × unit price (${expected} minor units)`, { status: 422 });
    }
    const usage = c.terms ? (BigInt(c.overageUnits) + BigInt(c.terms.monthlyApiLimit)).toString() : c.overageUnits;
    const events: BillEvent[] = [
      {
        type: 'BillDrafted',
        data: {
          ...base(1),
          actor: first.actor,
          customerId: c.customerId,
          period: c.period,
          usageApiCalls: usage,
          includedApiCalls: c.terms?.monthlyApiLimit ?? '0',
          overageUnits: c.overageUnits,
          unitPrice,
          currency: c.currency,
          amountMinor: c.amountMinor,
          terms: c.terms,
          comment: first.comment,
          imported: true,
        },
      },
    ];
    const approvals = rest.filter((a) => a.action === 'APPROVE').length;
    let approvalsSeen = 0;
    for (const item of rest) {
      const data = { ...base(events.length + 1), actor: item.actor };
      if (item.action === 'APPROVE') {
        approvalsSeen += 1;
        events.push(
          approvalsSeen < approvals
            ? { type: 'BillApprovalStepRecorded', data: { ...data, stepIndex: approvalsSeen - 1, comment: item.comment ?? '' } }
            : { type: 'BillApproved', data: { ...data, comment: item.comment ?? '', processId: 'imported' } },
        );
      } else if (item.action === 'SENT') events.push({ type: 'BillSent', data: { ...data, comment: item.comment ?? '' } });
      else if (item.action === 'COMMENT') events.push({ type: 'BillCommented', data: { ...data, comment: item.comment ?? '' } });
      else throw new BillError('bill.import_invalid', `unknown action ${String(item.action)}`, { status: 422 });
    }
    const derived = deriveView(events, true);
    if (typeof derived === 'string') throw new BillError('bill.import_invalid', `the history is not a valid bill life: ${derived}`, { status: 422 });
    return events;
  }

  if (state.draft === null) throw billNotFound(billId);
  const draft = state.draft;
  const guard = (type: BillEventType): void => {
    if (nextStatus(state.view.status, type) === null) throw invalidStatus(VERBS[type], state.view.status);
  };

  switch (command.type) {
    case 'AdjustUnitPrice': {
      guard('BillAdjusted');
      const unitPrice = parsePrice(command.data.unitPrice);
      const amount = lineAmount(BigInt(draft.overageUnits), unitPrice, draft.currency);
      const totalMinor = total({ overageAmountMinor: amount.amountMinor.toString(), lines: state.view.lines });
      return [{ type: 'BillAdjusted', data: { ...base(), unitPrice, amountMinor: amount.amountMinor.toString(), reason: command.data.reason, totalMinor } }];
    }
    case 'AddLine': {
      guard('BillLineAdded');
      const unitPrice = parsePrice(command.data.unitPrice);
      let quantity: string;
      try {
        quantity = parseDecimal(command.data.quantity, { field: 'quantity', allowZero: false });
      } catch {
        throw new BillError('bill.invalid_quantity', `quantity must be a positive decimal string, got ${JSON.stringify(command.data.quantity)}`, { status: 400 });
      }
      const amount = lineAmount(quantity, unitPrice, draft.currency).amountMinor;
      const signed = command.data.kind === 'discount' ? -amount : amount;
      const b = base();
      return [
        {
          type: 'BillLineAdded',
          data: {
            ...b,
            lineId: b.actionId,
            kind: command.data.kind,
            description: command.data.description,
            quantity,
            unitPrice,
            amountMinor: signed.toString(),
            billUnitPrice: state.view.unitPrice,
            totalMinor: (BigInt(state.view.amountMinor) + signed).toString(),
          },
        },
      ];
    }
    case 'RemoveLine':
      guard('BillLineRemoved');
      if (!state.view.lines.some((line) => line.lineId === command.data.lineId)) throw lineNotFound(command.data.lineId);
      {
        const removed = state.view.lines.find((line) => line.lineId === command.data.lineId)!;
        const totalMinor = (BigInt(state.view.amountMinor) - BigInt(removed.amountMinor)).toString();
        return [{ type: 'BillLineRemoved', data: { ...base(), lineId: command.data.lineId, reason: command.data.reason, billUnitPrice: state.view.unitPrice, totalMinor } }];
      }
    case 'SubmitBill':
      guard('BillSubmitted');
      return [
        {
          type: 'BillSubmitted',
          data: {
            ...base(),
            comment: command.data.comment,
            customerId: draft.customerId,
            period: draft.period,
            amountMinor: state.view.amountMinor,
            currency: draft.currency,
            overageUnits: draft.overageUnits,
            includedApiCalls: draft.includedApiCalls,
            draftedByUserId: draft.actor.userId,
          },
        },
      ];
    case 'RecordApprovalStep':
      if (state.view.status !== 'pending_approval') throw invalidStatus(VERBS.BillApprovalStepRecorded, state.view.status);
      return [{ type: 'BillApprovalStepRecorded', data: { ...base(), stepIndex: command.data.stepIndex, comment: command.data.comment } }];
    case 'ApproveBill':
      guard('BillApproved');
      return [{ type: 'BillApproved', data: { ...base(), comment: command.data.comment, processId: command.data.processId } }];
    case 'RejectBill':
      guard('BillRejected');
      return [{ type: 'BillRejected', data: { ...base(), comment: command.data.comment, stepIndex: command.data.stepIndex, processId: command.data.processId } }];
    case 'SendBill':
      guard('BillSent');
      return [{ type: 'BillSent', data: { ...base(), comment: command.data.comment } }];
    case 'VoidBill':
      guard('BillVoided');
      return [{ type: 'BillVoided', data: { ...base(), reason: command.data.reason } }];
    case 'CommentBill':
      return [{ type: 'BillCommented', data: { ...base(), comment: command.data.comment } }];
    case 'RecordUsageCorrection':
      return [
        {
          type: 'BillUsageCorrected',
          data: {
            ...base(),
            previousApiCalls: command.data.previousApiCalls,
            apiCalls: command.data.apiCalls,
            comment: `Usage of ${draft.period} corrected from ${command.data.previousApiCalls} to ${command.data.apiCalls} API calls after the bill was drafted; adjust, or void and redraft, if needed.`,
          },
        },
      ];
    case 'RevertAction': {
      const targetId = command.data.revertedActionId;
      const target = state.actions.find((a) => a.data.actionId === targetId);
      if (!target) throw actionNotFound(targetId);
      if (target.type === 'BillDrafted') throw actionNotRevertible(targetId, 'the draft cannot be undone; void the bill instead');
      if (state.reverted.includes(targetId)) throw actionAlreadyReverted(targetId);
      const revert: BillEvent = { type: 'BillActionReverted', data: { ...base(), revertedActionId: targetId, reason: command.data.reason, amountMinor: '0', currency: draft.currency } };
      const derived = deriveView([...state.actions, revert], true);
      if (typeof derived === 'string') throw revertConflict(targetId, derived);
      revert.data.amountMinor = derived.view.amountMinor;
      return [revert];
    }
  }
}

/** The bill decider (Emmett shape) for `DeciderSpecification` and command handlers. */
export const billDecider = {
  decide: decideBill,
  evolve: evolveBill,
  initialState: initialBillState,
};
