import { Module, type DynamicModule } from '@nestjs/common';
import type { ServiceModuleOptions } from '@billing/platform';
import { ServiceCoreModule, type ServiceDefinition } from '@billing/service-kit';
import { CustomersController } from './customer/customers.controller.js';
import { CustomersImport } from './customer/customers.import.js';
import { CustomersService } from './customer/customers.service.js';
import { customersMigrations } from './migrations.js';
import { customersOutbox } from './outbox.js';
import { CUSTOMERS_SETTINGS, settingsFromEnv, type CustomersSettings } from './settings.js';
import { ContractCache } from './usage/contract-cache.js';
import { UsageCloseScheduler } from './usage/usage-close.scheduler.js';
import { UsageController } from './usage/usage.controller.js';
import { UsageImport } from './usage/usage.import.js';
import { UsageService } from './usage/usage.service.js';
import { UsersConsumer } from './users/users.consumer.js';

/** Name the customers service reports under in `GET /health`, its consumer group and default schema. */
export const CUSTOMERS_SERVICE = 'customers';

/**
 * The customers service as a Nest module, mounted by its own `main.ts` (distributed) or by
 * `apps/embedded` (next to the other services): customers and their contract terms (event-sourced,
 * `customer-<id>` streams), usage ingestion and monthly totals, CSV imports, the month-close scheduler,
 * the local users table fed by identity's events, and the `customers.v1` outbox.
 */
@Module({})
export class CustomersModule {
  /**
   * @param options the database, the schema to own (a lowercase SQL identifier, e.g. `customers`) and the bus.
   * @param settings month-close settings (default: from the environment, see `settingsFromEnv`).
   * @throws Error when `options.schema` is not a valid SQL identifier or a setting is invalid.
   */
  static register(options: ServiceModuleOptions, settings: Partial<CustomersSettings> = {}): DynamicModule {
    const resolved: CustomersSettings = { ...settingsFromEnv(), ...settings };
    return {
      module: CustomersModule,
      imports: [ServiceCoreModule.forService({ ...options, name: CUSTOMERS_SERVICE, migrations: customersMigrations, outbox: customersOutbox })],
      controllers: [CustomersController, UsageController, UsersConsumer],
      providers: [{ provide: CUSTOMERS_SETTINGS, useValue: resolved }, ContractCache, CustomersService, CustomersImport, UsageService, UsageImport, UsageCloseScheduler],
    };
  }
}

/** The customers service for composition roots (`startServices`, `runDistributedService`). */
export const customersService: ServiceDefinition = { name: CUSTOMERS_SERVICE, module: (resources) => CustomersModule.register(resources) };
