import { scopesAllow, type Interaction, type Principal } from '../auth/index.js';
import { DEFAULT_ACCESS_POLICY, MFA_REQUIRED, type AccessPolicyOptions } from './policy.js';

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
  policy: AccessPolicyOptions = DEFAULT_ACCESS_POLICY,
): Decision {
  // The second factor comes before anything else a person may do, and fails closed: a user
  // principal whose session has not proven it (or that does not say) is refused.
  if (principal.kind === 'user' && principal.mfa !== true && !mfaExempt(principal, policy)) {
    return { allowed: false, reason: MFA_REQUIRED };
  }
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
  // People with a completed second factor are still refused: role, care-team and patient-link
  // rules arrive with the access-control issue, which replaces this line (deny by default).
  return { allowed: false, reason: 'no-policy-for-principal' };
}

/**
 * Only a person who is nothing but a patient may skip the second factor, and only when the
 * deployment says so; a patient who also holds a staff role reaches others' PHI and never may.
 */
function mfaExempt(principal: Principal, policy: AccessPolicyOptions): boolean {
  return (
    policy.patientMfa === 'optional' &&
    principal.roles.length > 0 &&
    principal.roles.every((r) => r === 'patient')
  );
}
