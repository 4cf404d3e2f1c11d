import { Module, type DynamicModule } from '@nestjs/common';
import type { ServiceModuleOptions } from '@billing/platform';
import { ServiceCoreModule, type ServiceDefinition } from '@billing/service-kit';

/** Name the identity service reports under in `GET /health`, its consumer group and default schema. */
export const IDENTITY_SERVICE = 'identity';

/**
 * The identity service as a Nest module, mounted by its own `main.ts` (distributed) or by
 * `apps/embedded` (next to the other services). Its {@link ServiceCoreModule} migrates its event
 * store in its schema and reports its health under `identity`.
 */
@Module({})
export class IdentityModule {
  /**
   * @param options the database, the schema to own (a lowercase SQL identifier, e.g. `identity`) and the bus.
   * @throws Error when `options.schema` is not a valid SQL identifier.
   */
  static register(options: ServiceModuleOptions): DynamicModule {
    return {
      module: IdentityModule,
      imports: [ServiceCoreModule.forService({ ...options, name: IDENTITY_SERVICE })],
    };
  }
}

/** The identity service for composition roots (`startServices`, `runDistributedService`). */
export const identityService: ServiceDefinition = { name: IDENTITY_SERVICE, module: (resources) => IdentityModule.register(resources) };
