export { decideFhirAccess } from './decide.js';
export type { Decision, FhirInteraction } from './decide.js';
export { DEFAULT_ACCESS_POLICY, MFA_REQUIRED } from './policy.js';
export type { AccessPolicyOptions } from './policy.js';
