import { scopesAllow, type Interaction, type Principal } from '../auth/index.js';

export type FhirInteraction =
  'read' | 'vread' | 'history' | 'search' | 'create' | 'update' | 'delete';

export interface Decision {
  allowed: boolean;
  /** PHI-free reason code for the audit trail. */
  reason: string;
}

const LETTER: Record<FhirInteraction, Interaction> = {
  read: 'r',
  vread: 'r',
  history: 'r',
  search: 's',
  create: 'c',
  update: 'u',
  delete: 'd',
};

/**
 * The one decision every FHIR interaction passes through. Deny by default: an API client needs a
 * `system/` scope that grants the interaction on the type. People (roles, care teams,
 * break-glass) arrive with the access-control issue and extend this function, not its callers.
 */
export function decideFhirAccess(
  principal: Principal,
  interaction: FhirInteraction,
  resourceType: string,
): Decision {
  if (principal.kind === 'client') {
    // The audit trail is a separate duty: a wildcard scope over clinical data does not reach it;
    // only an explicit system/AuditEvent scope does.
    const systemScopes = principal.scopes.filter(
      (s) =>
        s.context === 'system' &&
        (resourceType !== 'AuditEvent' || s.resourceType === 'AuditEvent'),
    );
    return scopesAllow(systemScopes, resourceType, LETTER[interaction])
      ? { allowed: true, reason: 'scope' }
      : { allowed: false, reason: 'scope-missing' };
  }
  return { allowed: false, reason: 'no-policy-for-principal' };
}
