/** The FHIR REST interactions an access decision distinguishes. */
export type FhirInteraction =
  'read' | 'vread' | 'history' | 'search' | 'create' | 'update' | 'delete';

export const FHIR_INTERACTIONS: readonly FhirInteraction[] = [
  'read',
  'vread',
  'history',
  'search',
  'create',
  'update',
  'delete',
];
