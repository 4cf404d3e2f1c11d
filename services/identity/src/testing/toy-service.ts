/**
 * A toy second service for the identity tests: one guarded route (`GET /toy/whoami`, any signed-in
 * user) and a consumer of `identity.v1.UserRegistered`, to show that identity's tokens and
 * revocations reach another service.
 */
import { Controller, Get, Inject, Module, type DynamicModule } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Authenticated, CurrentUser, type Principal } from '@billing/auth';
import type { DecodedIntegrationEvent } from '@billing/contracts';
import type { BusContext } from '@billing/messaging';
import type { ServiceModuleOptions } from '@billing/platform';
import { OnIntegrationEvent, SERVICE_CONTEXT, ServiceCoreModule, type ServiceContext, type ServiceDefinition } from '@billing/service-kit';

@Controller('toy')
class ToyController {
  constructor(@Inject(SERVICE_CONTEXT) private readonly service: ServiceContext) {}

  @Authenticated()
  @Get('whoami')
  whoami(@CurrentUser() principal: Principal): { userId: string; role: string | null } {
    return { userId: principal.userId, role: principal.role };
  }

  @Authenticated()
  @Get('known-users')
  async knownUsers(): Promise<string[]> {
    const rows = await this.service.db.query<{ name: string }>(`SELECT name FROM ${this.service.schema}.known_users ORDER BY name`);
    return rows.rows.map((row) => row.name);
  }

  @OnIntegrationEvent('toy', 'identity.v1.UserRegistered')
  async onRegistered(@Payload() event: DecodedIntegrationEvent<'identity.v1.UserRegistered'>, @Ctx() context: BusContext): Promise<void> {
    await context.getTransaction().query(`INSERT INTO ${this.service.schema}.known_users (user_id, name, role) VALUES ($1, $2, $3)`, [
      event.message.userId,
      event.message.name,
      event.message.role,
    ]);
  }
}

@Module({})
class ToyModule {
  static register(options: ServiceModuleOptions): DynamicModule {
    return {
      module: ToyModule,
      controllers: [ToyController],
      imports: [
        ServiceCoreModule.forService({
          ...options,
          name: 'toy',
          migrations: [{ id: 'toy_001_known_users', sql: 'CREATE TABLE {schema}.known_users (user_id text PRIMARY KEY, name text NOT NULL, role text NOT NULL)' }],
        }),
      ],
    };
  }
}

/** The toy service definition. */
export const toyService: ServiceDefinition = { name: 'toy', module: (resources) => ToyModule.register(resources) };
