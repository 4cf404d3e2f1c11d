import { Inject, Logger, Module, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import type { ServiceModuleOptions } from '@billing/platform';
import { ServiceCoreModule, type ServiceDefinition } from '@billing/service-kit';
import { DEFAULT_IDENTITY_SETTINGS, type IdentitySettings } from './config.js';
import { seedDemoUsers } from './demo-users.js';
import { identityMigrations } from './migrations.js';
import { identityOutbox } from './outbox.js';
import { JwksController } from './sessions/jwks.controller.js';
import { SessionController } from './sessions/session.controller.js';
import { SessionsService } from './sessions/sessions.service.js';
import { SigningKeyStore } from './sessions/signing-keys.js';
import { IDENTITY_SETTINGS } from './settings.token.js';
import { UsersController } from './users/users.controller.js';
import { UsersService } from './users/users.service.js';

/** Name the identity service reports under in `GET /health`, its consumer group and default schema. */
export const IDENTITY_SERVICE = 'identity';

/**
 * The identity service as a Nest module, mounted by its own `main.ts` (distributed) or by
 * `apps/embedded` (next to the other services): users (event-sourced, `user-<id>` streams, `users`
 * read model), bcrypt credentials, sessions with EdDSA access tokens and rotating refresh tokens, the
 * JWKS at `/.well-known/jwks.json`, and the `identity.v1` events through its outbox. With
 * `settings.demoUsers` it seeds the demo users into an empty installation at start-up.
 */
@Module({})
export class IdentityModule implements OnApplicationBootstrap {
  /**
   * @param options the database, the schema to own (a lowercase SQL identifier, e.g. `identity`) and the bus.
   * @param settings token lifetimes, bcrypt cost, login throttling, demo users (default {@link DEFAULT_IDENTITY_SETTINGS}).
   * @throws Error when `options.schema` is not a valid SQL identifier.
   */
  static register(options: ServiceModuleOptions, settings: IdentitySettings = DEFAULT_IDENTITY_SETTINGS): DynamicModule {
    return {
      module: IdentityModule,
      imports: [ServiceCoreModule.forService({ ...options, name: IDENTITY_SERVICE, migrations: identityMigrations, outbox: identityOutbox })],
      controllers: [UsersController, SessionController, JwksController],
      providers: [{ provide: IDENTITY_SETTINGS, useValue: settings }, UsersService, SessionsService, SigningKeyStore],
      exports: [UsersService, SessionsService, SigningKeyStore],
    };
  }

  constructor(
    @Inject(IDENTITY_SETTINGS) private readonly settings: IdentitySettings,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(SigningKeyStore) private readonly keys: SigningKeyStore,
  ) {}

  /** Creates the signing key if none exists yet, and seeds the demo users when asked to. */
  async onApplicationBootstrap(): Promise<void> {
    await this.keys.current();
    if (this.settings.demoUsers) {
      const created = await seedDemoUsers(this.users);
      if (created > 0) new Logger('identity').log(`Seeded ${created} demo users (password documented in the README)`);
    }
  }
}

/** The identity service with `settings`, for composition roots (`startServices`, `runDistributedService`). */
export function createIdentityService(settings: IdentitySettings = DEFAULT_IDENTITY_SETTINGS): ServiceDefinition {
  return { name: IDENTITY_SERVICE, module: (resources) => IdentityModule.register(resources, settings) };
}

/** The identity service with the default settings. */
export const identityService: ServiceDefinition = createIdentityService();
