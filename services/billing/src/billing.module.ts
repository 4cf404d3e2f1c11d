import { Module, type DynamicModule } from '@nestjs/common';
import type { ServiceModuleOptions } from '@billing/platform';
import { ServiceCoreModule, type ServiceDefinition } from '@billing/service-kit';
import { BillCommands } from './bill/bill.service.js';
import { BillImportController } from './bill/import-bills.js';
import { BillRunService } from './bill-run/bill-run.service.js';
import { BillRunsController } from './http/bill-runs.controller.js';
import { BillsController } from './http/bills.controller.js';
import { BillingEventsController } from './integration/billing-events.controller.js';
import { billingOutbox } from './integration/outbox.js';
import { billingMigrations } from './read-models/read-models.js';
import { ReplayController, ReplayService } from './read-models/replay.js';

/** Name the billing service reports under in `GET /health`, its consumer group and default schema. */
export const BILLING_SERVICE = 'billing';

/**
 * The billing service as a Nest module, mounted by its own `main.ts` (distributed) or by
 * `apps/embedded` (next to the other services): bills as BillAction streams (`bill/`), month-end runs
 * (`bill-run/`), read models and replay (`read-models/`), consumers of customers/identity/approvals
 * events and the `billing.v1` outbox (`integration/`), HTTP under `/api/bills`, `/api/bill-runs`,
 * `/api/billing/replay`.
 */
@Module({})
export class BillingModule {
  /**
   * @param options the database, the schema to own (a lowercase SQL identifier, e.g. `billing`) and the bus.
   * @throws Error when `options.schema` is not a valid SQL identifier.
   */
  static register(options: ServiceModuleOptions): DynamicModule {
    return {
      module: BillingModule,
      imports: [ServiceCoreModule.forService({ ...options, name: BILLING_SERVICE, migrations: billingMigrations, outbox: billingOutbox })],
      controllers: [BillImportController, BillsController, BillRunsController, ReplayController, BillingEventsController],
      providers: [BillCommands, BillRunService, ReplayService],
    };
  }
}

/** The billing service for composition roots (`startServices`, `runDistributedService`). */
export const billingService: ServiceDefinition = { name: BILLING_SERVICE, module: (resources) => BillingModule.register(resources) };
