import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { rateLimit } from 'express-rate-limit';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { NextFunction, Request, Response } from 'express';
import { bearerToken, RevocationConsumer, RevokedTokenError, RevocationList, TokenVerifier, type PublicKeySource } from '@billing/auth';
import type { SqlExecutor } from '@billing/database';
import type { MessageBus } from '@billing/messaging';
import { DomainError, HealthModule, serveSinglePageApp, HealthRegistry, nestLogLevels, PROBLEM_JSON, ProblemDetailsFilter, toProblemDetails, type LogLevelName } from '@billing/platform';
import { mergeOpenApi, OPENAPI_JSON_PATH, OPENAPI_UI_PATH } from '@billing/service-kit';
import { upstreamOf, UPSTREAMS, type Upstream } from './routes.js';

/** Header carrying the request id end to end (assigned here when the client sent none). */
export const REQUEST_ID_HEADER = 'x-request-id';

/** What {@link createGateway} needs. */
export interface GatewayOptions {
  /** Base URL of each service, e.g. `{ identity: 'http://identity:3000', … }`. */
  upstreams: Record<Upstream, string>;
  /** The identity service's public keys (default: `<identity>/.well-known/jwks.json`). */
  keys?: PublicKeySource;
  /** Revocation list source: identity events on `bus`, persisted in `schema` of `db`. */
  revocations: { db: SqlExecutor; bus: MessageBus; schema: string; groupId?: string };
  /** Requests per minute per client address (default 1200); beyond: 429 with `Retry-After`. */
  rateLimitPerMinute?: number;
  /** Directory of the built web app served at `/` (skipped when absent). */
  webDist?: string;
  logLevel?: LogLevelName | false;
}

/** 502 `gateway.upstream_unavailable`: the owning service did not answer. */
class UpstreamUnavailableError extends DomainError {
  constructor(service: string) {
    super('gateway.upstream_unavailable', `The ${service} service is not answering; try again shortly`, { status: 502 });
  }
}

/** 429 `gateway.rate_limited`. */
class RateLimitedError extends DomainError {
  constructor() {
    super('gateway.rate_limited', 'Too many requests from this address; slow down and retry after the Retry-After delay', { status: 429 });
  }
}

function sendProblem(request: Request, response: Response, error: unknown): void {
  const problem = toProblemDetails(error, request.path);
  response.status(problem.status).type(PROBLEM_JSON).send(JSON.stringify(problem));
}

/**
 * The api-gateway (design §2): one HTTP edge in front of the services of the distributed topology.
 * In order, for every request:
 * 1. a request id (`x-request-id`: the client's, or a new UUID), echoed in the response and forwarded;
 * 2. a rate limit per client address (429 `gateway.rate_limited` problem with `Retry-After`, RateLimit headers);
 * 3. edge token check: a request with a bearer token must carry a valid, unrevoked one (401 problems as the
 *    services answer them); requests without one pass, since the services decide which routes are public;
 *    services verify every token again;
 * 4. `/api/*` and `/.well-known/jwks.json` are proxied to the owning service ({@link upstreamOf}; 404 when none,
 *    502 `gateway.upstream_unavailable` when it does not answer);
 * 5. `/api/docs`: the services' OpenAPI documents merged (fetched at start);
 * 6. `/health`: the gateway and each upstream's `/health`;
 * 7. anything else: the web app (`webDist`, with `index.html` for client-side routes).
 * @returns the application, initialised (not listening); its shutdown stops the revocation consumer.
 */
export async function createGateway(options: GatewayOptions): Promise<NestExpressApplication> {
  const verifier = new TokenVerifier(options.keys ?? { jwksUrl: `${options.upstreams.identity}/.well-known/jwks.json` });
  const revocations = new RevocationList();
  const consumer = new RevocationConsumer({ ...options.revocations, groupId: options.revocations.groupId ?? 'api-gateway.auth', list: revocations });

  @Module({ imports: [HealthModule] })
  class GatewayModule {
    onApplicationShutdown(): Promise<void> {
      return consumer.stop();
    }
  }
  const root: DynamicModule = { module: GatewayModule };
  const app = await NestFactory.create<NestExpressApplication>(root, {
    bodyParser: false,
    logger: options.logLevel === false ? false : nestLogLevels(options.logLevel ?? 'info'),
    abortOnError: false,
  });
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.useGlobalFilters(new ProblemDetailsFilter(app.get(HttpAdapterHost)));

  app.use((request: Request, response: Response, next: NextFunction) => {
    const id = (request.headers[REQUEST_ID_HEADER] as string | undefined)?.slice(0, 128) || randomUUID();
    request.headers[REQUEST_ID_HEADER] = id;
    response.setHeader(REQUEST_ID_HEADER, id);
    next();
  });
  app.use(
    rateLimit({
      windowMs: 60_000,
      limit: options.rateLimitPerMinute ?? 1200,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      handler: (request, response) => sendProblem(request, response, new RateLimitedError()),
    }),
  );
  app.use(async (request: Request, response: Response, next: NextFunction) => {
    const token = bearerToken(request.headers);
    if (!token) return next();
    try {
      const principal = await verifier.verify(token);
      if (revocations.isRevoked(principal)) throw new RevokedTokenError();
      next();
    } catch (error) {
      sendProblem(request, response, error);
    }
  });

  const proxy = createProxyMiddleware<Request, Response>({
    router: (request) => options.upstreams[upstreamOf(request.path) as Upstream],
    changeOrigin: true,
    xfwd: true,
    on: {
      error: (error, request, response) => {
        if ('headersSent' in response && !response.headersSent) sendProblem(request, response, new UpstreamUnavailableError(upstreamOf(request.path) ?? 'owning'));
      },
    },
  });
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (request.path.startsWith(`/${OPENAPI_UI_PATH}`)) return next();
    if (upstreamOf(request.path)) return void proxy(request, response, next);
    next();
  });

  const documents = await Promise.all(
    UPSTREAMS.map(async (service) => {
      const response = await fetch(`${options.upstreams[service]}/${OPENAPI_JSON_PATH}`).catch(() => undefined);
      return response?.ok ? { service, document: (await response.json()) as OpenAPIObject } : undefined;
    }),
  );
  const merged = mergeOpenApi(
    'Billing platform API',
    documents.filter((d): d is { service: Upstream; document: OpenAPIObject } => d !== undefined),
  );
  delete merged.paths['/health'];
  SwaggerModule.setup(OPENAPI_UI_PATH, app, merged, { jsonDocumentUrl: OPENAPI_JSON_PATH, raw: ['json'] });

  serveSinglePageApp(app, resolve(options.webDist ?? 'services/web/dist'));

  const health = app.get(HealthRegistry);
  for (const service of UPSTREAMS) {
    health.register('api-gateway', service, async () => {
      const response = await fetch(`${options.upstreams[service]}/health`);
      return { status: response.ok ? 'up' : 'down', httpStatus: response.status };
    });
  }
  await consumer.start();
  await app.init();
  return app;
}
