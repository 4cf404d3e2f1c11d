import { Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { eventStoreMigrations, PostgresEventStore } from '@billing/event-store';
import { databaseHealthCheck, HealthModule, HealthRegistry, type ServiceModuleOptions } from '@billing/platform';

/** Name the billing service reports under in `GET /health`, and its default schema. */
export const BILLING_SERVICE = 'billing';

/** Injection token of the options given to {@link BillingModule.register} ({@link ServiceModuleOptions}). */
export const BILLING_OPTIONS = Symbol('billing.options');

/** Injection token of the billing service's {@link PostgresEventStore} (tables in its own schema). */
export const BILLING_EVENT_STORE = Symbol('billing.event-store');

/**
 * The billing service as a Nest module, mounted by its own `main.ts` (distributed) or by
 * `apps/embedded` (next to the other services). At init it migrates its event store in its schema
 * and registers its `database` health indicator (database reachable, schema migrated) under
 * `billing`. Domain endpoints arrive with later issues.
 */
@Module({})
export class BillingModule implements OnModuleInit {
  /**
   * @param options the database, the schema to own (a lowercase SQL identifier, e.g. `billing`) and the bus.
   * @throws Error when `options.schema` is not a valid SQL identifier.
   */
  static register(options: ServiceModuleOptions): DynamicModule {
    const store = new PostgresEventStore(options.db, { schema: options.schema });
    return {
      module: BillingModule,
      imports: [HealthModule],
      providers: [
        { provide: BILLING_OPTIONS, useValue: options },
        { provide: BILLING_EVENT_STORE, useValue: store },
      ],
    };
  }

  constructor(
    @Inject(BILLING_OPTIONS) private readonly options: ServiceModuleOptions,
    @Inject(BILLING_EVENT_STORE) private readonly store: PostgresEventStore,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
  ) {}

  /** Registers the health indicator, then migrates the event store (rejects when the migration fails). */
  async onModuleInit(): Promise<void> {
    this.health.register(
      BILLING_SERVICE,
      'database',
      databaseHealthCheck(this.options.db, this.options.schema, { requiredMigrations: eventStoreMigrations.map((m) => m.id) }),
    );
    await this.store.migrate();
  }
}
