import { RequestMethod, type INestApplication } from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { ACCESS_RULE, type AccessRule } from '@billing/platform';

/** One HTTP route of an application and the access rule it declares (`undefined`: none, so denied). */
export interface RouteAccess {
  /** `GET`, `POST`, … */
  method: string;
  /** The full path, e.g. `/api/bills/:billId`, without the global prefix. */
  path: string;
  /** `ControllerName.methodName`. */
  handler: string;
  rule: AccessRule | undefined;
}

function joinPath(...parts: string[]): string {
  const path = parts
    .flatMap((part) => part.split('/'))
    .filter((segment) => segment !== '')
    .join('/');
  return `/${path}`;
}

/**
 * Every HTTP route of `app` with its access rule, read from Nest's metadata (controller path,
 * method path and verb, and the `@Public`/`@Authenticated`/`@Roles` rule on the method or class). The
 * role × endpoint matrix test uses it to prove that every route declares a rule and has a row.
 */
export function listRoutes(app: INestApplication): RouteAccess[] {
  const reflector = app.get(Reflector);
  const routes: RouteAccess[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!type || typeof type !== 'function') continue;
      const controllerPaths = ([] as string[]).concat((Reflect.getMetadata('path', type) as string | string[] | undefined) ?? '/');
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        if (name === 'constructor') continue;
        const method = (type.prototype as Record<string, unknown>)[name];
        if (typeof method !== 'function') continue;
        const verb = Reflect.getMetadata('method', method) as number | undefined;
        const paths = Reflect.getMetadata('path', method) as string | string[] | undefined;
        if (verb === undefined || paths === undefined) continue;
        const rule = reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [method as never, type]);
        for (const base of controllerPaths) {
          for (const path of ([] as string[]).concat(paths)) {
            routes.push({ method: RequestMethod[verb] ?? String(verb), path: joinPath(base, path), handler: `${type.name}.${name}`, rule });
          }
        }
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}
