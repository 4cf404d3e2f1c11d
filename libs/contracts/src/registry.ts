import { createRegistry, type MessageInitShape, type MessageShape, type Registry } from '@bufbuild/protobuf';
import {
  ApprovalRequestedSchema,
  ApprovalStepApprovedSchema,
  BillApprovalGrantedSchema,
  BillApprovalRejectedSchema,
} from './gen/approvals/v1/events_pb.js';
import {
  BillActionRevertedSchema,
  BillAdjustedSchema,
  BillApprovalStepRecordedSchema,
  BillApprovedSchema,
  BillCommentedSchema,
  BillDraftedSchema,
  BillLineAddedSchema,
  BillLineRemovedSchema,
  BillRejectedSchema,
  BillSentSchema,
  BillSubmittedSchema,
  BillUsageCorrectedSchema,
  BillVoidedSchema,
} from './gen/billing/v1/events_pb.js';
import {
  CsmAssignedSchema,
  CustomerRegisteredSchema,
  CustomerTermsChangedSchema,
  UsageCorrectedSchema,
  UsagePeriodClosedSchema,
  UsageRecordedSchema,
} from './gen/customers/v1/events_pb.js';
import {
  SessionRevokedSchema,
  UserDeactivatedSchema,
  UserReactivatedSchema,
  UserRegisteredSchema,
  UserRoleChangedSchema,
} from './gen/identity/v1/events_pb.js';
import { ContractError } from './errors.js';

const eventSchemas = [
  // identity.v1
  UserRegisteredSchema,
  UserRoleChangedSchema,
  UserDeactivatedSchema,
  UserReactivatedSchema,
  SessionRevokedSchema,
  // customers.v1
  CustomerRegisteredSchema,
  CustomerTermsChangedSchema,
  CsmAssignedSchema,
  UsageRecordedSchema,
  UsagePeriodClosedSchema,
  UsageCorrectedSchema,
  // billing.v1
  BillDraftedSchema,
  BillAdjustedSchema,
  BillSubmittedSchema,
  BillApprovedSchema,
  BillRejectedSchema,
  BillSentSchema,
  BillVoidedSchema,
  BillActionRevertedSchema,
  BillCommentedSchema,
  BillLineAddedSchema,
  BillLineRemovedSchema,
  BillUsageCorrectedSchema,
  BillApprovalStepRecordedSchema,
  // approvals.v1
  ApprovalRequestedSchema,
  ApprovalStepApprovedSchema,
  BillApprovalGrantedSchema,
  BillApprovalRejectedSchema,
] as const;

/** The descriptor (schema) of any integration event message. */
export type EventSchema = (typeof eventSchemas)[number];
/** Fully-qualified protobuf name of an integration event message, e.g. `'billing.v1.BillDrafted'`. */
export type EventType = EventSchema['typeName'];
/** The descriptor of event type `T`. */
export type EventSchemaOf<T extends EventType> = Extract<EventSchema, { typeName: T }>;
/** A decoded event message of type `T` (default: any event). */
export type EventMessage<T extends EventType = EventType> = MessageShape<EventSchemaOf<T>>;
/** What `create()` accepts for event type `T`: the message itself or a partial init object. */
export type EventInit<T extends EventType = EventType> = MessageInitShape<EventSchemaOf<T>>;

/** Every integration event message descriptor, grouped by package. */
export const EVENT_SCHEMAS: readonly EventSchema[] = eventSchemas;

/** Every integration event type name. */
export const EVENT_TYPES: readonly EventType[] = eventSchemas.map((schema) => schema.typeName);

/**
 * Protobuf registry of every integration event message (and of nothing else): lets tools resolve a
 * type name to its descriptor, e.g. for `toJson(schema, message, { registry })`.
 */
export const eventRegistry: Registry = createRegistry(...eventSchemas);

/**
 * Current schema revision of each event type when above 1 (the envelope's `schema_version`). Bump an
 * entry when fields are added to the message that consumers may want to tell apart.
 */
const schemaVersions: Partial<Record<EventType, number>> = {};

/** Whether `type` is the name of a registered integration event message. */
export function isEventType(type: string): type is EventType {
  return eventRegistry.getMessage(type) !== undefined;
}

/**
 * The descriptor of event type `type`.
 * @throws ContractError with code `contract.unknown_type` when `type` is not a registered event.
 */
export function eventSchemaOf<T extends EventType>(type: T): EventSchemaOf<T>;
export function eventSchemaOf(type: string): EventSchema;
export function eventSchemaOf(type: string): EventSchema {
  const schema = eventSchemas.find((candidate) => candidate.typeName === type);
  if (schema === undefined) {
    throw new ContractError('contract.unknown_type', `unknown integration event type "${type}"`, { eventType: type });
  }
  return schema;
}

/** Current schema revision (≥ 1) of event type `type`: what producers put in `schema_version`. */
export function eventSchemaVersion(type: EventType): number {
  return schemaVersions[type] ?? 1;
}
