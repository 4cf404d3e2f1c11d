import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** Where every application serves its OpenAPI document (JSON) and the UI. */
export const OPENAPI_UI_PATH = 'api/docs';
/** The JSON document's path, which the api-gateway fetches from each service to merge. */
export const OPENAPI_JSON_PATH = 'api/docs/openapi.json';

/**
 * Builds the OpenAPI 3.1 document of the application's routes (paths, parameters and the zod request
 * schemas of `@Body({ schema })` arguments, through Nest's Standard Schema support) and serves it at
 * `/api/docs/openapi.json`, with the Swagger UI at `/api/docs`. Both are public: they describe the API,
 * not its data. Bearer authentication is declared for every operation.
 * @returns the document.
 */
export function serveOpenApi(app: INestApplication, title: string, description: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(title)
    .setDescription(description)
    .setVersion('1')
    .setOpenAPIVersion('3.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup(OPENAPI_UI_PATH, app, document, { jsonDocumentUrl: OPENAPI_JSON_PATH, raw: ['json'] });
  return document;
}

/**
 * Merges several services' OpenAPI documents into one (the api-gateway's `/api/docs`): paths and
 * component schemas are united; a path declared by two services keeps the first one's operations and
 * adds the other's methods. Each operation is tagged with its service name.
 */
export function mergeOpenApi(title: string, documents: readonly { service: string; document: OpenAPIObject }[]): OpenAPIObject {
  const merged: OpenAPIObject = {
    openapi: '3.1.0',
    info: { title, version: '1', description: `The billing platform's API, merged from: ${documents.map((d) => d.service).join(', ')}.` },
    paths: {},
    components: { schemas: {}, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    security: [{ bearer: [] }],
  };
  for (const { service, document } of documents) {
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      const target = (merged.paths[path] ??= {}) as Record<string, unknown>;
      for (const [method, operation] of Object.entries(item as Record<string, unknown>)) {
        if (target[method] !== undefined) continue;
        target[method] =
          operation && typeof operation === 'object' && 'responses' in operation
            ? { ...(operation as object), tags: [service, ...(((operation as { tags?: string[] }).tags ?? []).filter((t) => t !== service))] }
            : operation;
      }
    }
    Object.assign(merged.components!.schemas!, document.components?.schemas ?? {});
  }
  return merged;
}
