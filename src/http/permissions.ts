import type { FastifyInstance } from 'fastify';
import { DISCLOSURES_SCOPE, type FhirInteraction } from '../access/index.js';

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
  // Bulk Data $export (src/http/bulk-routes.ts, ADR 0036): the kick-off, and the status, files
  // and cancel of an export, which only the caller who started it reaches.
  | 'fhir:bulkexport'
  | 'fhir:bulkresult'
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
  | 'api:break-glass:review'
  // The privacy officer's toolkit (src/http/compliance-routes.ts, ADR 0031).
  | 'api:compliance:read'
  | 'api:incidents:manage'
  | 'api:alerts:review';

/**
 * What a bearer token (an API client's `system/` scopes, or an app's `user/` or `patient/`
 * scopes acting for a person) must carry for a route, declared for every permission so a route
 * cannot be added without one:
 * - `no-phi`: answers no PHI to anyone (health, CapabilityStatement, the sign-in steps);
 * - `session-only`: a person's own session; a bearer token is refused (401) whatever its scopes;
 * - `scope`: the interaction on the resource type (`:type` = the route's type parameter),
 *   enforced by the access decision (src/access/decide.ts) for FHIR routes and by the route,
 *   through scopesPermit, for the others (the accounting of disclosures);
 * - `per-entry`: each entry of a transaction, as its own create or update;
 * - `per-type`: each resource type a Bulk Data export holds, as a read of that type (the
 *   `_type` list, each one required; without it, the types the scopes allow);
 * - `own-export`: an export's status, files and cancel: only the caller who started it (the same
 *   person through the same app, or the same client), under the scopes its kick-off was decided by.
 * test/http/scope-matrix.test.ts sends every route each kind of scope.
 */
export type ScopeRequirement =
  | { kind: 'no-phi' }
  | { kind: 'session-only' }
  | {
      kind: 'scope';
      interaction: FhirInteraction;
      resourceType: ':type' | 'Patient' | 'AuditEvent';
    }
  | { kind: 'per-entry' }
  | { kind: 'per-type'; interaction: FhirInteraction }
  | { kind: 'own-export' };

const onType = (interaction: FhirInteraction): ScopeRequirement => ({
  kind: 'scope',
  interaction,
  resourceType: ':type',
});
const SESSION: ScopeRequirement = { kind: 'session-only' };

export const ROUTE_SCOPES: Readonly<Record<RoutePermission, ScopeRequirement>> = {
  public: { kind: 'no-phi' },
  'fhir:read': onType('read'),
  'fhir:vread': onType('vread'),
  'fhir:history': onType('history'),
  'fhir:search': onType('search'),
  'fhir:create': onType('create'),
  'fhir:update': onType('update'),
  'fhir:delete': onType('delete'),
  // A patch is applied to the record as the caller reads it (a JSON Patch `test` can probe
  // values), so it needs the read scope as well as update: patch-record.ts reads, then updates.
  'fhir:patch': onType('update'),
  'fhir:transaction': { kind: 'per-entry' },
  'fhir:export': { kind: 'scope', interaction: 'read', resourceType: 'Patient' },
  'fhir:bulkexport': { kind: 'per-type', interaction: 'read' },
  'fhir:bulkresult': { kind: 'own-export' },
  'audit:read': { kind: 'scope', interaction: 'read', resourceType: 'AuditEvent' },
  'audit:search': { kind: 'scope', interaction: 'search', resourceType: 'AuditEvent' },
  // The access decision for disclosures (src/access/audit-view-access.ts) checks this scope.
  'audit:disclosures': { kind: 'scope', ...DISCLOSURES_SCOPE },
  // Enrolment, sign-in and password reset come before any credential and hand out no PHI.
  'session:start': { kind: 'no-phi' },
  'session:pending': SESSION,
  'session:read': SESSION,
  'session:active': SESSION,
  'session:reauth': SESSION,
  'api:users:manage': SESSION,
  'api:break-glass:request': SESSION,
  'api:break-glass:review': SESSION,
  'api:compliance:read': SESSION,
  'api:incidents:manage': SESSION,
  'api:alerts:review': SESSION,
};

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: RoutePermission;
  }
}

export class UndeclaredPermissionError extends Error {}

export const declaredRoutes: {
  method: string;
  url: string;
  permission: RoutePermission;
  scope: ScopeRequirement;
}[] = [];

export function requirePermissionDeclarations(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const permission = (route.config as { permission?: RoutePermission } | undefined)?.permission;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((m) => m === 'HEAD')) return; // Fastify's automatic HEAD twin of a GET
    if (!permission)
      throw new UndeclaredPermissionError(
        `route ${methods.join(',')} ${route.url} declares no permission`,
      );
    const scope = ROUTE_SCOPES[permission];
    if (!scope)
      throw new UndeclaredPermissionError(
        `route ${methods.join(',')} ${route.url} declares an unknown permission`,
      );
    for (const method of methods)
      declaredRoutes.push({ method, url: route.url, permission, scope });
  });
}
