import { Module, type DynamicModule } from '@nestjs/common';
import type { ServiceModuleOptions } from '@billing/platform';
import { ServiceCoreModule, type ServiceDefinition } from '@billing/service-kit';

/** Name the billing service reports under in `GET /health`, its consumer group and default schema. */
export const BILLING_SERVICE = 'billing';

/**
 * The billing service as a Nest module, mounted by its own `main.ts` (distributed) or by
 * `apps/embedded` (next to the other services). Its {@link ServiceCoreModule} migrates its event
 * store in its schema and reports its health under `billing`.
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
      imports: [ServiceCoreModule.forService({ ...options, name: BILLING_SERVICE })],
    };
  }
}

/** The billing service for composition roots (`startServices`, `runDistributedService`). */
export const billingService: ServiceDefinition = { name: BILLING_SERVICE, module: (resources) => BillingModule.register(resources) };
