import { Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { eventStoreMigrations, PostgresEventStore } from '@billing/event-store';
import { databaseHealthCheck, HealthModule, HealthRegistry, type ServiceModuleOptions } from '@billing/platform';

/** Name the approvals service reports under in `GET /health`, and its default schema. */
export const APPROVALS_SERVICE = 'approvals';

/** Injection token of the options given to {@link ApprovalsModule.register} ({@link ServiceModuleOptions}). */
export const APPROVALS_OPTIONS = Symbol('approvals.options');

/** Injection token of the approvals service's {@link PostgresEventStore} (tables in its own schema). */
export const APPROVALS_EVENT_STORE = Symbol('approvals.event-store');

/**
 * The approvals service as a Nest module, mounted by its own `main.ts` (distributed) or by
 * `apps/embedded` (next to the other services). At init it migrates its event store in its schema
 * and registers its `database` health indicator (database reachable, schema migrated) under
 * `approvals`. Domain endpoints arrive with later issues.
 */
@Module({})
export class ApprovalsModule implements OnModuleInit {
  /**
   * @param options the database, the schema to own (a lowercase SQL identifier, e.g. `approvals`) and the bus.
   * @throws Error when `options.schema` is not a valid SQL identifier.
   */
  static register(options: ServiceModuleOptions): DynamicModule {
    const store = new PostgresEventStore(options.db, { schema: options.schema });
    return {
      module: ApprovalsModule,
      imports: [HealthModule],
      providers: [
        { provide: APPROVALS_OPTIONS, useValue: options },
        { provide: APPROVALS_EVENT_STORE, useValue: store },
      ],
    };
  }

  constructor(
    @Inject(APPROVALS_OPTIONS) private readonly options: ServiceModuleOptions,
    @Inject(APPROVALS_EVENT_STORE) private readonly store: PostgresEventStore,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
  ) {}

  /** Registers the health indicator, then migrates the event store (rejects when the migration fails). */
  async onModuleInit(): Promise<void> {
    this.health.register(
      APPROVALS_SERVICE,
      'database',
      databaseHealthCheck(this.options.db, this.options.schema, { requiredMigrations: eventStoreMigrations.map((m) => m.id) }),
    );
    await this.store.migrate();
  }
}
