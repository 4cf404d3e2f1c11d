/** The services the gateway routes to. */
export const UPSTREAMS = ['identity', 'customers', 'billing', 'approvals'] as const;
export type Upstream = (typeof UPSTREAMS)[number];

/**
 * Which service owns a path, first match wins (the services' own route tables are the source; keep
 * in step when a service adds a route prefix):
 * - approvals: `/api/bills/:id/approve|reject`, `/api/approvals…`, `/api/customers/:id/approval-policy`;
 * - identity: `/api/users…`, `/api/session…`, `/.well-known/jwks.json`;
 * - customers: `/api/customers…`, `/api/usage…`;
 * - billing: `/api/bills…`, `/api/bill-runs…`.
 */
export const ROUTES: readonly { pattern: RegExp; upstream: Upstream }[] = [
  { pattern: /^\/api\/bills\/[^/]+\/(approve|reject)\/?$/, upstream: 'approvals' },
  { pattern: /^\/api\/approvals(\/|$)/, upstream: 'approvals' },
  { pattern: /^\/api\/customers\/[^/]+\/approval-policy\/?$/, upstream: 'approvals' },
  { pattern: /^\/api\/(users|session)(\/|$)/, upstream: 'identity' },
  { pattern: /^\/\.well-known\/jwks\.json$/, upstream: 'identity' },
  { pattern: /^\/api\/(customers|usage)(\/|$)/, upstream: 'customers' },
  { pattern: /^\/api\/(bills|bill-runs)(\/|$)/, upstream: 'billing' },
];

/** The service owning `path` (no query string), or `undefined` when no service does. */
export function upstreamOf(path: string): Upstream | undefined {
  return ROUTES.find((route) => route.pattern.test(path))?.upstream;
}
