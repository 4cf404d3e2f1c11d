import { Module, type DynamicModule } from '@nestjs/common';
import type { ServiceModuleOptions } from '@billing/platform';
import { ServiceCoreModule, type ServiceDefinition } from '@billing/service-kit';
import { ApprovalsService } from './approvals.service.js';
import { ApprovalsController } from './http/approvals.controller.js';
import { PolicyController } from './http/policy.controller.js';
import { IntegrationEventsController } from './integration-events.controller.js';
import { approvalsOutbox } from './outbox.js';
import { approvalsMigrations } from './read-models/migrations.js';

/** Name the approvals service reports under in `GET /health`, its consumer group and default schema. */
export const APPROVALS_SERVICE = 'approvals';

/**
 * The approvals service as a Nest module, mounted by its own `main.ts` (distributed) or by
 * `apps/embedded` (next to the other services). Its {@link ServiceCoreModule} migrates its event
 * store and read models (`customers`, `users`, `approval_processes`) in its schema, publishes
 * `approvals.v1` events through its outbox and reports its health under `approvals`.
 * HTTP: `PATCH /api/bills/:id/approve|reject`, `GET /api/approvals`, `GET /api/approvals/:billId`,
 * `GET|PUT /api/customers/:customerId/approval-policy`. Consumes customers.v1, identity.v1 and billing.v1 events.
 */
@Module({})
export class ApprovalsModule {
  /**
   * @param options the database, the schema to own (a lowercase SQL identifier, e.g. `approvals`) and the bus.
   * @throws Error when `options.schema` is not a valid SQL identifier.
   */
  static register(options: ServiceModuleOptions): DynamicModule {
    return {
      module: ApprovalsModule,
      imports: [ServiceCoreModule.forService({ ...options, name: APPROVALS_SERVICE, migrations: approvalsMigrations, outbox: approvalsOutbox })],
      controllers: [ApprovalsController, PolicyController, IntegrationEventsController],
      providers: [ApprovalsService],
    };
  }
}

/** The approvals service for composition roots (`startServices`, `runDistributedService`). */
export const approvalsService: ServiceDefinition = { name: APPROVALS_SERVICE, module: (resources) => ApprovalsModule.register(resources) };
