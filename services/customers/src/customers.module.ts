import { Module, type DynamicModule } from '@nestjs/common';
import type { ServiceModuleOptions } from '@billing/platform';
import { ServiceCoreModule, type ServiceDefinition } from '@billing/service-kit';

/** Name the customers service reports under in `GET /health`, its consumer group and default schema. */
export const CUSTOMERS_SERVICE = 'customers';

/**
 * The customers service as a Nest module, mounted by its own `main.ts` (distributed) or by
 * `apps/embedded` (next to the other services). Its {@link ServiceCoreModule} migrates its event
 * store in its schema and reports its health under `customers`.
 */
@Module({})
export class CustomersModule {
  /**
   * @param options the database, the schema to own (a lowercase SQL identifier, e.g. `customers`) and the bus.
   * @throws Error when `options.schema` is not a valid SQL identifier.
   */
  static register(options: ServiceModuleOptions): DynamicModule {
    return {
      module: CustomersModule,
      imports: [ServiceCoreModule.forService({ ...options, name: CUSTOMERS_SERVICE })],
    };
  }
}

/** The customers service for composition roots (`startServices`, `runDistributedService`). */
export const customersService: ServiceDefinition = { name: CUSTOMERS_SERVICE, module: (resources) => CustomersModule.register(resources) };
