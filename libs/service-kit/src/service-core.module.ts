import { Inject, Logger, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { migrate, type Migration } from '@billing/database';
import { eventStoreMigrations, PostgresEventStore, type Upcaster } from '@billing/event-store';
import { migrateProcessedMessages, OutboxRelay, type OutboxMapper } from '@billing/messaging';
import { databaseHealthCheck, HealthModule, HealthRegistry, type ServiceModuleOptions } from '@billing/platform';

/** Options of {@link ServiceCoreModule.forService}: the composition root's resources plus the service's own parts. */
export interface ServiceCoreOptions extends ServiceModuleOptions {
  /** The service name (`billing`): its health module name, consumer group and outbox checkpoint owner. */
  name: string;
  /** The service's own tables (read models, lookups), applied in its schema after the event store's. `{schema}` is the quoted schema. */
  migrations?: readonly Migration[];
  /**
   * Maps the service's stored domain events to the integration events it publishes (see
   * `OutboxMapper`); omit for a service that publishes nothing. The relay publishes them in commit
   * order, key = stream id, and checkpoints after the broker acknowledged.
   */
  outbox?: OutboxMapper;
  /** Upcasters for old stored event versions. */
  upcasters?: readonly Upcaster[];
}

/**
 * Everything a service module can inject from its {@link ServiceCoreModule}: its resources, its event
 * store (tables in its own schema) and its outbox relay.
 */
export interface ServiceContext extends ServiceCoreOptions {
  store: PostgresEventStore;
  /** The outbox relay; `undefined` when the service publishes nothing. Call `notifyOutbox()` after appending. */
  relay: OutboxRelay | undefined;
  /** Asks the relay to publish now instead of at its next poll (no-op without a relay). */
  notifyOutbox(): void;
}

/** Injection token of the {@link ServiceContext}. */
export const SERVICE_CONTEXT = Symbol('service-kit.context');
/** Injection token of the service's {@link PostgresEventStore}. */
export const EVENT_STORE = Symbol('service-kit.event-store');

/**
 * The infrastructure half of a service module, one instance per service (import
 * `ServiceCoreModule.forService({...})` in the service module and inject {@link SERVICE_CONTEXT} or
 * {@link EVENT_STORE}). At init it migrates, in the service's schema: the event store, the
 * idempotent-consumer table (`processed_messages`), then `migrations`; and registers the `database`
 * and `outbox` health indicators under the service name. Once the application has started it runs the
 * outbox relay, and stops it before the application shuts down (the composition root closes the bus and
 * database afterwards).
 */
@Module({})
export class ServiceCoreModule implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  /**
   * @param options see {@link ServiceCoreOptions}.
   * @throws Error when `options.schema` is not a valid SQL identifier.
   */
  static forService(options: ServiceCoreOptions): DynamicModule {
    const store = new PostgresEventStore(options.db, { schema: options.schema, upcasters: options.upcasters });
    const relay = options.outbox
      ? new OutboxRelay({
          store,
          bus: options.bus,
          map: options.outbox,
          consumerId: `${options.name}.outbox`,
          onError: (error) => new Logger(`${options.name}.outbox`).warn(`publishing failed, retrying: ${error instanceof Error ? error.message : String(error)}`),
        })
      : undefined;
    const context: ServiceContext = { ...options, store, relay, notifyOutbox: () => relay?.notify() };
    return {
      module: ServiceCoreModule,
      imports: [HealthModule],
      providers: [
        { provide: SERVICE_CONTEXT, useValue: context },
        { provide: EVENT_STORE, useValue: store },
      ],
      exports: [SERVICE_CONTEXT, EVENT_STORE, HealthModule],
    };
  }

  constructor(
    @Inject(SERVICE_CONTEXT) private readonly context: ServiceContext,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
  ) {}

  /** Registers health indicators and migrates the schema (rejects when a migration fails). */
  async onModuleInit(): Promise<void> {
    const { db, schema, name, migrations = [], relay } = this.context;
    this.health.register(
      name,
      'database',
      databaseHealthCheck(db, schema, { requiredMigrations: [...eventStoreMigrations, ...migrations].map((m) => m.id) }),
    );
    if (relay) {
      this.health.register(name, 'outbox', async () => {
        const error = relay.lastError;
        return error === undefined
          ? { status: 'up', published: relay.published }
          : { status: 'down', published: relay.published, error: error instanceof Error ? error.message : String(error) };
      });
    }
    await this.context.store.migrate();
    await migrateProcessedMessages(db, schema);
    if (migrations.length > 0) await migrate(db, schema, migrations);
  }

  /** Starts the outbox relay (publishes what was committed while the service was down first). */
  onApplicationBootstrap(): void {
    this.context.relay?.start();
  }

  /** Stops the relay after its batch in flight. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.context.relay?.stop();
  }
}
