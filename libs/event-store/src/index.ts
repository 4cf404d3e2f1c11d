export * from './postgres-event-store.js';
export * from './consumer.js';
export * from './command-handler.js';
export * from './upcasting.js';
export { eventStoreMigrations } from './schema.js';
export {
  ExpectedVersionConflictError,
  isExpectedVersionConflictError,
  STREAM_DOES_NOT_EXIST,
  STREAM_EXISTS,
  NO_CONCURRENCY_CHECK,
  DeciderSpecification,
  type Decider,
  type Command,
  type Event,
} from '@event-driven-io/emmett';
