import { Module, type DynamicModule } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { JSONWebKeySet } from 'jose';
import { AuthModule, type PublicKeySource } from '@billing/auth';
import type { SqlExecutor } from '@billing/database';
import type { MessageBus } from '@billing/messaging';
import { createHttpApp, HealthModule, HealthRegistry, listen, type HttpAppOptions, type Listening, type ServiceModuleOptions } from '@billing/platform';
import { serveOpenApi } from './openapi.js';
import { topicOf } from '@billing/contracts';
import { createServiceTransport } from './transport.js';

/** A service as a composition root mounts it. */
export interface ServiceDefinition {
  /** Service name: consumer group, health module, default schema. */
  name: string;
  /** The service's root Nest module on the given resources (e.g. `BillingModule.register`). */
  module(resources: ServiceModuleOptions): DynamicModule;
}

/** A service to mount and the schema it owns. */
export interface MountedService {
  definition: ServiceDefinition;
  schema: string;
}

/**
 * Where the application gets the identity service's public keys: a {@link PublicKeySource}, or
 * `'self'` when this application serves `/.well-known/jwks.json` itself (the identity service's own
 * process, the embedded runtime): the keys are fetched from its own URL once it listens.
 */
export type KeysOption = PublicKeySource | 'self';

/** Options of {@link startServices}. */
export interface StartServicesOptions {
  services: readonly MountedService[];
  db: SqlExecutor;
  bus: MessageBus;
  keys: KeysOption;
  /** Schema and consumer group of this process' revocation list (e.g. `billing` / `billing.auth`). */
  auth: { schema: string; groupId: string };
  port: number;
  host?: string;
  http?: HttpAppOptions;
  /** Where the `listening on` line goes (see `listen`). */
  log?: ((url: string) => void) | false;
  /** Title of the OpenAPI document served at `/api/docs` (default: the services' names). */
  apiTitle?: string;
  /**
   * Adds HTTP handling of the composition root before the application initialises (after which
   * Nest's not-found handler comes first), e.g. serving the web app.
   */
  configure?: (app: NestExpressApplication) => void | Promise<void>;
}

/**
 * Composes, initialises and starts services in one Nest application, the same way in both topologies
 * (one service per process when distributed; all of them in the embedded runtime):
 * 1. a root module with `GET /health`, the global {@link AuthModule} (deny-by-default guard, revocations
 *    consumed as `auth.groupId`) and every service module;
 * 2. `init`: every module's migrations run;
 * 3. one bus transport per service (its consumer group, its `@OnIntegrationEvent` handlers only);
 * 4. the OpenAPI document at `/api/docs/openapi.json` and its UI at `/api/docs`;
 * 5. HTTP listens on `port`.
 * @returns the application and where it listens; closing the application stops the transports and relays.
 * @throws whatever a migration, a subscription or binding the port throws (the application is closed
 *   again first; the database and bus stay the caller's to close).
 */
export async function startServices(options: StartServicesOptions): Promise<{ app: NestExpressApplication } & Listening> {
  let selfUrl: string | undefined;
  const keys: PublicKeySource =
    options.keys === 'self'
      ? {
          resolveJwks: async () => {
            if (!selfUrl) throw new Error('keys are not served yet');
            const response = await fetch(`${selfUrl}/.well-known/jwks.json`);
            if (!response.ok) throw new Error(`GET /.well-known/jwks.json answered ${response.status}`);
            return (await response.json()) as JSONWebKeySet;
          },
        }
      : options.keys;
  const { db, bus } = options;

  @Module({})
  class ServicesRoot {}
  const root: DynamicModule = {
    module: ServicesRoot,
    imports: [
      HealthModule,
      AuthModule.forRoot({ keys, revocations: { bus, db, schema: options.auth.schema, groupId: options.auth.groupId } }),
      ...options.services.map(({ definition, schema }) => definition.module({ db, bus, schema })),
    ],
  };
  const app = await createHttpApp(root, options.http);
  try {
    // The transports inherit the application's global filter, which hands handler errors back intact.
    const transports = options.services.map(({ definition, schema }) => {
      const transport = createServiceTransport({ name: definition.name, bus, db, schema });
      app.connectMicroservice({ strategy: transport }, { inheritAppConfig: true });
      return { name: definition.name, transport };
    });
    // Before init: Nest installs its not-found handler at init, after which no route can be added.
    const names = options.services.map(({ definition }) => definition.name).join(', ');
    serveOpenApi(app, options.apiTitle ?? `Billing platform: ${names}`, `HTTP API of ${names}. Errors are RFC 9457 problem details.`);
    await options.configure?.(app);
    await app.init();
    await app.startAllMicroservices();
    const health = app.get(HealthRegistry);
    for (const { name, transport } of transports) {
      const topics = [...new Set(transport.eventTypes().map((type) => topicOf(type)))];
      health.register(name, 'consumer', async () => ({ status: 'up', group: name, lag: await consumerLag(bus, name, topics) }));
    }
    const listening = await listen(app, { port: options.port, host: options.host, log: options.log });
    selfUrl = `http://127.0.0.1:${listening.port}`;
    return { app, ...listening };
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Messages of `topics` that consumer group `groupId` has not committed yet (sum over partitions of
 * `end - committed`, counting from the low watermark when the group has no offset): 0 when the group
 * has handled everything published so far. Shown as `lag` of each service's `consumer` health check.
 */
export async function consumerLag(bus: MessageBus, groupId: string, topics: readonly string[]): Promise<number> {
  let lag = 0n;
  for (const topic of topics) {
    for (const partition of await bus.offsets(topic, groupId)) {
      lag += BigInt(partition.end) - BigInt(partition.committed ?? partition.start);
    }
  }
  return Number(lag);
}
