/**
 * @billing/service-kit: what every service module and composition root shares:
 * - {@link ServiceCoreModule}: a service's event store, migrations, outbox relay and health;
 * - {@link OnIntegrationEvent} / {@link createServiceTransport}: consuming other services' events;
 * - {@link startServices}: composing services into one application (embedded or one per process);
 * - {@link runDistributedService}: a service's distributed `main.ts` in one call.
 */
export * from './service-core.module.js';
export * from './transport.js';
export * from './composition.js';
export * from './distributed.js';
export * from './integration-events.js';
export * from './cli.js';
export * from './openapi.js';
