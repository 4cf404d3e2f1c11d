import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { SqlExecutor } from '@billing/database';
import type { MessageBus } from '@billing/messaging';
import { AuthGuard } from './auth.guard.js';
import { RevocationConsumer, RevocationList } from './revocations.js';
import { TokenVerifier, type PublicKeySource } from './token-verifier.js';

/** Options of {@link AuthModule.forRoot}. */
export interface AuthModuleOptions {
  /** Where the identity service's public keys come from. */
  keys: PublicKeySource;
  /**
   * Where revocations come from: the identity topic on `bus`, consumed as group `groupId` and
   * persisted in `schema` of `db`. Omit only in tests that need no revocation.
   */
  revocations?: { bus: MessageBus; db: SqlExecutor; schema: string; groupId: string };
}

const AUTH_OPTIONS = Symbol('auth.options');

/**
 * Access control for one Nest application (a service process, or the whole embedded runtime):
 * installs {@link AuthGuard} globally, provides {@link TokenVerifier} and {@link RevocationList},
 * and keeps the list current from identity's events while the application runs. Import it once, in
 * the composition root: `AuthModule.forRoot({ keys: { jwksUrl }, revocations: { bus, db, schema, groupId } })`.
 */
@Module({})
export class AuthModule implements OnModuleInit, OnApplicationShutdown {
  #consumer: RevocationConsumer | undefined;

  /** @param options see {@link AuthModuleOptions}. */
  static forRoot(options: AuthModuleOptions): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      providers: [
        { provide: AUTH_OPTIONS, useValue: options },
        { provide: TokenVerifier, useValue: new TokenVerifier(options.keys) },
        { provide: RevocationList, useValue: new RevocationList() },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [TokenVerifier, RevocationList],
    };
  }

  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: AuthModuleOptions,
    @Inject(RevocationList) private readonly list: RevocationList,
  ) {}

  /** Loads persisted revocations and starts consuming identity's events. */
  async onModuleInit(): Promise<void> {
    const revocations = this.options.revocations;
    if (!revocations) return;
    this.#consumer = new RevocationConsumer({ ...revocations, list: this.list });
    await this.#consumer.start();
  }

  /** Leaves the consumer group. */
  async onApplicationShutdown(): Promise<void> {
    await this.#consumer?.stop();
  }
}
