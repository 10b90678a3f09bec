import type { Principal } from '../auth/index.js';
import { appScopeReach, decideFhirAccess, inScopePatient } from './decide.js';
import type { FhirInteraction } from './interactions.js';

/**
 * Whether the principal's SMART scopes, alone, allow an interaction on a resource type (for a
 * record of `owner`, when known). For actions outside the FHIR API that still hand out PHI, such
 * as the accounting of disclosures: the role decides there (decideApiAccess), and this adds the
 * scopes, so an app token is held to what it was given. A session carries no scopes (true); an
 * API client needs a `system/` scope; a `patient/` scope reaches only the person's own record.
 */
export function scopesPermit(
  principal: Principal,
  resourceType: string,
  interaction: FhirInteraction,
  owner?: string,
): boolean {
  if (principal.kind === 'client')
    return decideFhirAccess(principal, { interaction, resourceType }).allowed;
  const reach = appScopeReach(principal.scopes, resourceType, interaction);
  if (reach === 'self') return owner !== undefined && inScopePatient(principal, owner);
  return reach !== 'none';
}
