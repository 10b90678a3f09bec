import type { FastifyInstance } from 'fastify';

/**
 * Every route declares what it needs in `config.permission`, next to its handler. A route without
 * a declaration fails at start-up (and in the route-inventory test), so nothing is ever served
 * by accident without an access decision.
 */
export type RoutePermission =
  | 'public'
  | 'fhir:read'
  | 'fhir:vread'
  | 'fhir:history'
  | 'fhir:search'
  | 'fhir:create'
  | 'fhir:update'
  | 'fhir:delete'
  | 'fhir:patch'
  | 'fhir:transaction'
  | 'fhir:export'
  | 'audit:read'
  | 'audit:search'
  | 'audit:disclosures'
  // People's sign-in API (src/http/auth-routes.ts). 'session:start': no session yet (enroll,
  // login), same-origin only; 'session:pending': a session whose password step is done (second
  // factor may be pending); 'session:read': the same without recording activity;
  // 'session:active': a session with its second factor verified; 'session:reauth': the same,
  // re-authenticated within the last 5 minutes (sensitive changes: passkeys, src/http/webauthn-routes.ts).
  | 'session:start'
  | 'session:pending'
  | 'session:read'
  | 'session:active'
  | 'session:reauth'
  // /api actions beyond one's own session, decided by decideApiAccess (src/access): the role
  // table's api rows (src/http/api-guard.ts; break-glass, app-token and admin-user routes).
  | 'api:users:manage'
  | 'api:break-glass:request'
  | 'api:break-glass:review';

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: RoutePermission;
  }
}

export class UndeclaredPermissionError extends Error {}

export const declaredRoutes: { method: string; url: string; permission: RoutePermission }[] = [];

export function requirePermissionDeclarations(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const permission = (route.config as { permission?: RoutePermission } | undefined)?.permission;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((m) => m === 'HEAD')) return; // Fastify's automatic HEAD twin of a GET
    if (!permission)
      throw new UndeclaredPermissionError(
        `route ${methods.join(',')} ${route.url} declares no permission`,
      );
    for (const method of methods) declaredRoutes.push({ method, url: route.url, permission });
  });
}
