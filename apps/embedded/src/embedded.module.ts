import { Module, type DynamicModule } from '@nestjs/common';
import { ApprovalsModule } from '@billing/approvals-service';
import { BillingModule } from '@billing/billing-service';
import { CustomersModule } from '@billing/customers-service';
import type { SqlExecutor } from '@billing/database';
import { IdentityModule } from '@billing/identity-service';
import type { MessageBus } from '@billing/messaging';
import { HealthModule } from '@billing/platform';

/** The schema each service owns in the one embedded database. */
export const EMBEDDED_SCHEMAS = {
  identity: 'identity',
  customers: 'customers',
  billing: 'billing',
  approvals: 'approvals',
} as const;

/** What {@link EmbeddedModule.register} wires every service module to. */
export interface EmbeddedModuleOptions {
  /** The one database every service shares, each in its own schema. */
  db: SqlExecutor;
  /** The one in-process bus every service publishes to and consumes from. */
  bus: MessageBus;
}

/**
 * Composition root of the embedded topology: mounts every service module on the same database
 * (schema per service, see {@link EMBEDDED_SCHEMAS}) and the same bus, plus `GET /health`.
 */
@Module({})
export class EmbeddedModule {
  /** The root module: {@link HealthModule} plus every service module registered on `db` and `bus`. */
  static register({ db, bus }: EmbeddedModuleOptions): DynamicModule {
    return {
      module: EmbeddedModule,
      imports: [
        HealthModule,
        IdentityModule.register({ db, bus, schema: EMBEDDED_SCHEMAS.identity }),
        CustomersModule.register({ db, bus, schema: EMBEDDED_SCHEMAS.customers }),
        BillingModule.register({ db, bus, schema: EMBEDDED_SCHEMAS.billing }),
        ApprovalsModule.register({ db, bus, schema: EMBEDDED_SCHEMAS.approvals }),
      ],
    };
  }
}
