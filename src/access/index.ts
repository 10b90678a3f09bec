export { decideFhirAccess, decideApiAccess, rulesFor, isSelf, NO_RELATION } from './decide.js';
export type { Decision, FhirTarget, Grant, RelationFacts } from './decide.js';
export { scopesPermit } from './scopes-permit.js';
export { AccessControl } from './access-control.js';
export { relationAuthority, addedRelations } from './relation-authority.js';
export type { GrantSource, RelationSource, SearchReach } from './access-control.js';
export { FHIR_INTERACTIONS, type FhirInteraction } from './interactions.js';
export { DEFAULT_ACCESS_POLICY, MFA_REQUIRED } from './policy.js';
export type { AccessPolicyOptions } from './policy.js';
export {
  POLICY,
  ROLES,
  API_ACTIONS,
  CLINICAL_TYPES,
  DIRECTORY_TYPES,
  FINANCIAL_TYPES,
  RELEASE_GATED_TYPES,
} from './policy-table.js';
export type {
  ApiAction,
  Condition,
  FhirRule,
  FieldSetName,
  Reach,
  Role,
  RolePolicy,
} from './policy-table.js';
export { RELEASE_TAG, isLaboratory, isReleasedToPatient, meetsCondition } from './conditions.js';
export { hiddenFieldsIn, mergeHiddenFields, visibleFields, withVisibleFields } from './fields.js';
export { BreakGlassService, BreakGlassError } from './break-glass.js';
export type { BreakGlassOptions, GrantView, ReasonVault } from './break-glass.js';
export { renderAccessPolicy } from './render-policy.js';
export { decideAuditView, DISCLOSURES_SCOPE } from './audit-view-access.js';
