/**
 * @billing/contracts: the integration events services exchange, their envelope codec and topics.
 *
 * Schemas live in proto/ (one package per context and major version); the TypeScript message types
 * and descriptors (`BillDraftedSchema`, `Money`, …) are generated into src/gen by `npm run generate`
 * and re-exported here.
 */
export { ContractDecodeError, ContractError, type ContractErrorCode, type ContractErrorDetails } from './errors.js';
export {
  EVENT_SCHEMAS,
  EVENT_TYPES,
  eventRegistry,
  eventSchemaOf,
  eventSchemaVersion,
  isEventType,
  type EventInit,
  type EventMessage,
  type EventSchema,
  type EventSchemaOf,
  type EventType,
} from './registry.js';
export { ALL_TOPICS, TOPICS, topicOf, type Topic } from './topics.js';
export {
  SYSTEM_ACTOR,
  decodeIntegrationEvent,
  encodeIntegrationEvent,
  type DecodedIntegrationEvent,
  type IntegrationEventActor,
  type IntegrationEventEnvelopeInput,
  type IntegrationEventMetadata,
} from './codec.js';
export * from './gen/identity/v1/events_pb.js';
export * from './gen/customers/v1/contract_terms_pb.js';
export * from './gen/customers/v1/events_pb.js';
export * from './gen/billing/v1/money_pb.js';
export * from './gen/billing/v1/events_pb.js';
export * from './gen/approvals/v1/approval_step_pb.js';
export * from './gen/approvals/v1/events_pb.js';
