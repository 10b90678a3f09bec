/**
 * Haven-specific: the resource types Haven stores and searches (the clinical first release plus
 * the other types Synthea bundles carry). Their search parameters are not listed here: they come
 * from the R4 definitions (registry.ts). Binary is stored too but searched only by the
 * parameters every resource has.
 */
export const HAVEN_RESOURCE_TYPES: readonly string[] = Object.freeze([
  'Patient',
  'Practitioner',
  'Organization',
  'Encounter',
  'Observation',
  'Condition',
  'AllergyIntolerance',
  'MedicationRequest',
  'DocumentReference',
  'Immunization',
  'Procedure',
  'DiagnosticReport',
  'CarePlan',
  'Goal',
  'Claim',
  'ExplanationOfBenefit',
  'ImagingStudy',
  'CareTeam',
  'Appointment',
  'ServiceRequest',
  'Schedule',
  'Slot',
  'Communication',
  // A Group of patients (member.entity), for Group-level Bulk Data export (ADR 0036).
  'Group',
  'Consent',
  'Binary',
]);
