import { Module, type DynamicModule } from '@nestjs/common';
import type { ServiceModuleOptions } from '@billing/platform';
import { ServiceCoreModule, type ServiceDefinition } from '@billing/service-kit';

/** Name the approvals service reports under in `GET /health`, its consumer group and default schema. */
export const APPROVALS_SERVICE = 'approvals';

/**
 * The approvals service as a Nest module, mounted by its own `main.ts` (distributed) or by
 * `apps/embedded` (next to the other services). Its {@link ServiceCoreModule} migrates its event
 * store in its schema and reports its health under `approvals`.
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
      imports: [ServiceCoreModule.forService({ ...options, name: APPROVALS_SERVICE })],
    };
  }
}

/** The approvals service for composition roots (`startServices`, `runDistributedService`). */
export const approvalsService: ServiceDefinition = { name: APPROVALS_SERVICE, module: (resources) => ApprovalsModule.register(resources) };
