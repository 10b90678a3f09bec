export { decideFhirAccess } from './decide.js';
export type { Decision, FhirInteraction } from './decide.js';
