import type { AuditViewRequest } from '../audit/index.js';
import type { RequestContext } from '../auth/index.js';
import { decideApiAccess, decideFhirAccess, type Decision } from './decide.js';
import { scopesPermit } from './scopes-permit.js';

/**
 * The scope the accounting of disclosures needs on top of the role (src/http/permissions.ts
 * declares the route with this same requirement).
 */
export const DISCLOSURES_SCOPE = { interaction: 'search', resourceType: 'AuditEvent' } as const;

/**
 * Who may look at the audit trail. The FHIR AuditEvent views: the same decision as any FHIR
 * read or search of AuditEvent (an API client needs an explicit system/AuditEvent scope). The
 * accounting of disclosures: the patient themself or a privacy officer, decided like every /api
 * action, with the token's scopes on top (an app acting for the patient needs an AuditEvent
 * scope); an integration (API client) is decided by its AuditEvent scope alone.
 */
export function decideAuditView(ctx: RequestContext, request: AuditViewRequest): Decision {
  const { principal, policy } = ctx;
  if (request.view !== 'disclosures') {
    return decideFhirAccess(
      principal,
      { interaction: request.view, resourceType: 'AuditEvent' },
      undefined,
      policy,
    );
  }
  const need = DISCLOSURES_SCOPE;
  if (principal.kind === 'client')
    return decideFhirAccess(
      principal,
      { interaction: need.interaction, resourceType: need.resourceType },
      undefined,
      policy,
    );
  const owner = `Patient/${request.patientId}`;
  const decision = decideApiAccess(principal, 'disclosures:read', owner, policy);
  if (!decision.allowed) return decision;
  return scopesPermit(principal, need.resourceType, need.interaction, owner)
    ? decision
    : { allowed: false, reason: 'scope-missing' };
}
