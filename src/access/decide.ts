import { scopesAllow, type Interaction, type Principal, type Scope } from '../auth/index.js';
import type { FhirInteraction } from './interactions.js';
import { DEFAULT_ACCESS_POLICY, MFA_REQUIRED, type AccessPolicyOptions } from './policy.js';
import {
  POLICY,
  ROLES,
  type ApiAction,
  type Condition,
  type FhirRule,
  type FieldSetName,
  type Reach,
  type Role,
} from './policy-table.js';

/** What is known about how the principal relates to one patient (looked up by the caller). */
export interface RelationFacts {
  /** On a CareTeam with the person's Practitioner, or an Appointment with them. */
  care: boolean;
  /** The patient has a laboratory order. */
  labOrder: boolean;
  /** Id of the person's active break-glass grant for this patient, if any. */
  emergencyGrant?: string | undefined;
}

export const NO_RELATION: RelationFacts = Object.freeze({ care: false, labOrder: false });

/** How far an allowed request reaches into the record. */
export interface Grant {
  fields: FieldSetName;
  /** Row conditions; the resource is visible when any holds. Empty means no condition. */
  conditions: readonly Condition[];
  /** May set or clear the released-to-patient mark. */
  release: boolean;
  /**
   * Set (to the grant id) when only a break-glass grant allows it: every access is marked as
   * emergency, and a write allowed so creates no care relation (relationAuthority).
   */
  emergency?: string;
}

export type Decision =
  { allowed: true; reason: string; grant: Grant } | { allowed: false; reason: string };

/** The target of a FHIR request: undefined patient = the type as a whole (no instance yet). */
export interface FhirTarget {
  interaction: FhirInteraction;
  resourceType: string;
  /**
   * Owner of the record (`Patient/<id>`, or `Type/<id>` for a resource that belongs to no
   * patient). Undefined asks whether the interaction is possible on the type at all.
   */
  owner?: string | undefined;
}

const FULL: Grant = Object.freeze({ fields: 'all', conditions: [], release: true });

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
 * The one decision every FHIR interaction passes through. Deny by default. An API client needs
 * a `system/` scope. A person needs, in this order: a completed second factor; a role row
 * granting the interaction on the type; a reach that covers the record's patient; and, for a
 * person acting through an app with SMART scopes, those scopes too (both must allow).
 */
export function decideFhirAccess(
  principal: Principal,
  target: FhirTarget,
  facts: RelationFacts = NO_RELATION,
  policy: AccessPolicyOptions = DEFAULT_ACCESS_POLICY,
): Decision {
  const { interaction, resourceType } = target;
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
      ? { allowed: true, reason: 'scope', grant: FULL }
      : { allowed: false, reason: 'scope-missing' };
  }
  const scopeReach = appScopeReach(principal.scopes, resourceType, interaction);
  if (scopeReach === 'none') return { allowed: false, reason: 'scope-missing' };
  const rules = rulesFor(principal, resourceType, interaction);
  if (rules.length === 0) return { allowed: false, reason: 'role-not-permitted' };
  if (target.owner === undefined) return { allowed: true, reason: 'role', grant: combine(rules) };
  if (scopeReach === 'self' && !inScopePatient(principal, target.owner))
    return { allowed: false, reason: 'scope-missing' };
  const plain = rules.filter((r) => reaches(r.reach, principal, target.owner!, facts, false));
  if (plain.length > 0) return { allowed: true, reason: 'role', grant: combine(plain) };
  const emergency = rules.filter((r) => reaches(r.reach, principal, target.owner!, facts, true));
  if (emergency.length > 0 && facts.emergencyGrant !== undefined) {
    return {
      allowed: true,
      reason: 'break-glass',
      grant: { ...combine(emergency), emergency: facts.emergencyGrant },
    };
  }
  return { allowed: false, reason: 'no-relation' };
}

/** Non-FHIR actions under /api, through the same rules: role, then reach to the patient. */
export function decideApiAccess(
  principal: Principal,
  action: ApiAction,
  patient?: string,
  policy: AccessPolicyOptions = DEFAULT_ACCESS_POLICY,
): Decision {
  if (principal.kind !== 'user') return { allowed: false, reason: 'people-only' };
  if (principal.mfa !== true && !mfaExempt(principal, policy))
    return { allowed: false, reason: MFA_REQUIRED };
  const rules = rolesOf(principal).flatMap((role) =>
    POLICY[role].api.filter((r) => r.action === action),
  );
  if (rules.length === 0) return { allowed: false, reason: 'role-not-permitted' };
  const ok =
    patient === undefined ||
    rules.some((r) => r.reach === 'any' || (r.reach === 'self' && isSelf(principal, patient)));
  return ok
    ? { allowed: true, reason: 'role', grant: FULL }
    : { allowed: false, reason: 'no-relation' };
}

/** The rows of a person's roles that grant this interaction on this type, whatever the patient. */
export function rulesFor(
  principal: Principal,
  resourceType: string,
  interaction: FhirInteraction,
): FhirRule[] {
  return rolesOf(principal).flatMap((role) =>
    POLICY[role].fhir.filter(
      (r) => r.types.includes(resourceType) && r.interactions.includes(interaction),
    ),
  );
}

export function rolesOf(principal: Principal): Role[] {
  return ROLES.filter((r) => principal.roles.includes(r));
}

export function isSelf(principal: Principal, owner: string): boolean {
  return principal.patientId !== undefined && owner === `Patient/${principal.patientId}`;
}

/**
 * Whom `patient/` scopes reach: a SMART token's patient in context when it has one (ADR 0035),
 * else the person's own record. Never widens the role: that is decided separately.
 */
export function inScopePatient(principal: Principal, owner: string): boolean {
  if (principal.smartPatient !== undefined) return owner === `Patient/${principal.smartPatient}`;
  return isSelf(principal, owner);
}

function reaches(
  reach: Reach,
  principal: Principal,
  owner: string,
  facts: RelationFacts,
  withEmergency: boolean,
): boolean {
  if (reach === 'any') return true;
  if (!owner.startsWith('Patient/')) return false;
  switch (reach) {
    case 'self':
      return isSelf(principal, owner);
    case 'lab-order':
      return facts.labOrder;
    case 'care':
      return facts.care || (withEmergency && facts.emergencyGrant !== undefined);
  }
}

/** Widest first. Sets of different types never compete: rows are combined per type. */
const FIELD_ORDER: readonly FieldSetName[] = [
  'all',
  'front-desk',
  'scheduling',
  'lab-order',
  'identification',
];

/** Several rows may allow the same thing (a person with two roles): the widest one counts. */
function combine(rules: readonly FhirRule[]): Grant {
  const fields = FIELD_ORDER.find((f) => rules.some((r) => (r.fields ?? 'all') === f)) ?? 'all';
  const unconditional = rules.some((r) => r.only === undefined);
  return {
    fields,
    conditions: unconditional ? [] : [...new Set(rules.map((r) => r.only!))],
    release: rules.some((r) => r.release === true),
  };
}

/**
 * A person's session (the web app) carries no scopes: their role alone decides. A person acting
 * through an app carries its SMART scopes, and the scopes must allow the interaction as well;
 * `patient/` scopes reach only the person's own record. As for API clients, the audit trail
 * takes an explicit AuditEvent scope: `user/*.rs` does not reach it.
 */
export function appScopeReach(
  granted: readonly Scope[],
  resourceType: string,
  interaction: FhirInteraction,
): 'unrestricted' | 'any' | 'self' | 'none' {
  if (granted.length === 0) return 'unrestricted';
  const scopes = granted.filter(
    (s) => resourceType !== 'AuditEvent' || s.resourceType === 'AuditEvent',
  );
  const letter = LETTER[interaction];
  if (
    scopesAllow(
      scopes.filter((s) => s.context === 'user'),
      resourceType,
      letter,
    )
  )
    return 'any';
  if (
    scopesAllow(
      scopes.filter((s) => s.context === 'patient'),
      resourceType,
      letter,
    )
  )
    return 'self';
  return 'none';
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
