import {
  date,
  identifier,
  patientViaSubject,
  personParams,
  ref,
  status,
  str,
  subject,
  tok,
} from './param-builders.js';
import type { SearchParamDef } from './types.js';

/**
 * The supported R4 search parameters (names, types and FHIRPath expressions as published in the
 * R4 SearchParameter registry), per resource type. `effective[x]`-style choices list the
 * concrete element names whose types a date parameter can read (dateTime, instant, Period);
 * Timing, Age, Range and string choices are not indexed.
 */

const ENCOUNTER_TARGETS = ['Encounter'];
const OBS_SUBJECTS = ['Group', 'Device', 'Patient', 'Location'];
const GROUP_PATIENT = ['Group', 'Patient'];
const REQUESTERS = [
  'Practitioner',
  'Organization',
  'Device',
  'Patient',
  'PractitionerRole',
  'RelatedPerson',
];
const CARE_TEAM_MEMBERS = [
  'Practitioner',
  'Organization',
  'CareTeam',
  'Patient',
  'PractitionerRole',
  'RelatedPerson',
];
const APPOINTMENT_ACTORS = [
  'Practitioner',
  'Device',
  'Patient',
  'HealthcareService',
  'PractitionerRole',
  'RelatedPerson',
  'Location',
];

const byType: Record<string, SearchParamDef[]> = {
  Patient: [
    ...personParams('Patient'),
    date('birthdate', 'Patient.birthDate', ['birthDate']),
    ref(
      'general-practitioner',
      'Patient.generalPractitioner',
      ['generalPractitioner'],
      ['Practitioner', 'Organization', 'PractitionerRole'],
    ),
  ],
  Practitioner: personParams('Practitioner'),
  Organization: [
    str('name', 'Organization.name | Organization.alias', ['name', 'alias']),
    identifier('Organization'),
  ],
  Encounter: [
    patientViaSubject('Encounter'),
    subject('Encounter', GROUP_PATIENT),
    date('date', 'Encounter.period', ['period']),
    status('Encounter'),
    tok('class', 'Encounter.class', ['class'], 'Coding'),
    tok('type', 'Encounter.type', ['type'], 'CodeableConcept'),
    identifier('Encounter'),
    ref(
      'participant',
      'Encounter.participant.individual',
      ['participant.individual'],
      ['Practitioner', 'PractitionerRole', 'RelatedPerson'],
    ),
    ref(
      'practitioner',
      'Encounter.participant.individual.where(resolve() is Practitioner)',
      ['participant.individual'],
      ['Practitioner'],
    ),
    ref('service-provider', 'Encounter.serviceProvider', ['serviceProvider'], ['Organization']),
  ],
  Observation: [
    patientViaSubject('Observation'),
    subject('Observation', OBS_SUBJECTS),
    ref('encounter', 'Observation.encounter', ['encounter'], ['Encounter', 'EpisodeOfCare']),
    tok('code', 'Observation.code', ['code'], 'CodeableConcept'),
    tok('category', 'Observation.category', ['category'], 'CodeableConcept'),
    status('Observation'),
    date('date', 'Observation.effective', [
      'effectiveDateTime',
      'effectivePeriod',
      'effectiveInstant',
    ]),
    identifier('Observation'),
  ],
  Condition: [
    patientViaSubject('Condition'),
    subject('Condition', GROUP_PATIENT),
    ref('encounter', 'Condition.encounter', ['encounter'], ENCOUNTER_TARGETS),
    tok('code', 'Condition.code', ['code'], 'CodeableConcept'),
    tok('category', 'Condition.category', ['category'], 'CodeableConcept'),
    tok('clinical-status', 'Condition.clinicalStatus', ['clinicalStatus'], 'CodeableConcept'),
    tok(
      'verification-status',
      'Condition.verificationStatus',
      ['verificationStatus'],
      'CodeableConcept',
    ),
    date('onset-date', 'Condition.onset.as(dateTime) | Condition.onset.as(Period)', [
      'onsetDateTime',
      'onsetPeriod',
    ]),
    date('recorded-date', 'Condition.recordedDate', ['recordedDate']),
    identifier('Condition'),
  ],
  AllergyIntolerance: [
    ref('patient', 'AllergyIntolerance.patient', ['patient'], ['Patient']),
    tok(
      'code',
      'AllergyIntolerance.code | AllergyIntolerance.reaction.substance',
      ['code', 'reaction.substance'],
      'CodeableConcept',
    ),
    tok(
      'clinical-status',
      'AllergyIntolerance.clinicalStatus',
      ['clinicalStatus'],
      'CodeableConcept',
    ),
    tok(
      'verification-status',
      'AllergyIntolerance.verificationStatus',
      ['verificationStatus'],
      'CodeableConcept',
    ),
    tok('type', 'AllergyIntolerance.type', ['type'], 'code'),
    tok('category', 'AllergyIntolerance.category', ['category'], 'code'),
    tok('criticality', 'AllergyIntolerance.criticality', ['criticality'], 'code'),
    date('date', 'AllergyIntolerance.recordedDate', ['recordedDate']),
    date('onset', 'AllergyIntolerance.reaction.onset', ['reaction.onset']),
    identifier('AllergyIntolerance'),
  ],
  MedicationRequest: [
    patientViaSubject('MedicationRequest'),
    subject('MedicationRequest', GROUP_PATIENT),
    ref('encounter', 'MedicationRequest.encounter', ['encounter'], ENCOUNTER_TARGETS),
    tok(
      'code',
      '(MedicationRequest.medication as CodeableConcept)',
      ['medicationCodeableConcept'],
      'CodeableConcept',
    ),
    status('MedicationRequest'),
    tok('intent', 'MedicationRequest.intent', ['intent'], 'code'),
    tok('category', 'MedicationRequest.category', ['category'], 'CodeableConcept'),
    date('authoredon', 'MedicationRequest.authoredOn', ['authoredOn']),
    identifier('MedicationRequest'),
    ref('requester', 'MedicationRequest.requester', ['requester'], REQUESTERS),
  ],
  DocumentReference: [
    patientViaSubject('DocumentReference'),
    subject('DocumentReference', ['Practitioner', 'Group', 'Device', 'Patient']),
    ref(
      'encounter',
      'DocumentReference.context.encounter',
      ['context.encounter'],
      ['Encounter', 'EpisodeOfCare'],
    ),
    tok('type', 'DocumentReference.type', ['type'], 'CodeableConcept'),
    tok('category', 'DocumentReference.category', ['category'], 'CodeableConcept'),
    status('DocumentReference'),
    date('date', 'DocumentReference.date', ['date']),
    identifier('DocumentReference', ['masterIdentifier', 'identifier']),
  ],
  Immunization: [
    ref('patient', 'Immunization.patient', ['patient'], ['Patient']),
    status('Immunization'),
    date('date', 'Immunization.occurrence', ['occurrenceDateTime']),
    tok('vaccine-code', 'Immunization.vaccineCode', ['vaccineCode'], 'CodeableConcept'),
  ],
  Procedure: [
    patientViaSubject('Procedure'),
    subject('Procedure', GROUP_PATIENT),
    tok('code', 'Procedure.code', ['code'], 'CodeableConcept'),
    date('date', 'Procedure.performed', ['performedDateTime', 'performedPeriod']),
    status('Procedure'),
  ],
  DiagnosticReport: [
    patientViaSubject('DiagnosticReport'),
    subject('DiagnosticReport', OBS_SUBJECTS),
    tok('code', 'DiagnosticReport.code', ['code'], 'CodeableConcept'),
    date('date', 'DiagnosticReport.effective', ['effectiveDateTime', 'effectivePeriod']),
    status('DiagnosticReport'),
    tok('category', 'DiagnosticReport.category', ['category'], 'CodeableConcept'),
  ],
  CarePlan: [
    patientViaSubject('CarePlan'),
    subject('CarePlan', GROUP_PATIENT),
    status('CarePlan'),
    tok('category', 'CarePlan.category', ['category'], 'CodeableConcept'),
    date('date', 'CarePlan.period', ['period']),
  ],
  Goal: [
    patientViaSubject('Goal'),
    subject('Goal', ['Group', 'Organization', 'Patient']),
    tok('lifecycle-status', 'Goal.lifecycleStatus', ['lifecycleStatus'], 'code'),
  ],
  Claim: [ref('patient', 'Claim.patient', ['patient'], ['Patient']), status('Claim')],
  ExplanationOfBenefit: [
    ref('patient', 'ExplanationOfBenefit.patient', ['patient'], ['Patient']),
    status('ExplanationOfBenefit'),
  ],
  ImagingStudy: [
    patientViaSubject('ImagingStudy'),
    subject('ImagingStudy', ['Group', 'Device', 'Patient']),
    status('ImagingStudy'),
  ],
  CareTeam: [
    patientViaSubject('CareTeam'),
    subject('CareTeam', GROUP_PATIENT),
    status('CareTeam'),
    tok('category', 'CareTeam.category', ['category'], 'CodeableConcept'),
    ref('participant', 'CareTeam.participant.member', ['participant.member'], CARE_TEAM_MEMBERS),
    date('date', 'CareTeam.period', ['period']),
    identifier('CareTeam'),
  ],
  // `patient` reads the same actors as `actor` and keeps only the Patient references, so an
  // appointment's compartment owner is its first Patient participant, never a practitioner.
  Appointment: [
    ref(
      'patient',
      'Appointment.participant.actor.where(resolve() is Patient)',
      ['participant.actor'],
      ['Patient'],
    ),
    ref('actor', 'Appointment.participant.actor', ['participant.actor'], APPOINTMENT_ACTORS),
    ref(
      'practitioner',
      'Appointment.participant.actor.where(resolve() is Practitioner)',
      ['participant.actor'],
      ['Practitioner'],
    ),
    date('date', 'Appointment.start', ['start']),
    status('Appointment'),
    identifier('Appointment'),
    tok('service-type', 'Appointment.serviceType', ['serviceType'], 'CodeableConcept'),
    tok('appointment-type', 'Appointment.appointmentType', ['appointmentType'], 'CodeableConcept'),
  ],
  ServiceRequest: [
    patientViaSubject('ServiceRequest'),
    subject('ServiceRequest', OBS_SUBJECTS),
    status('ServiceRequest'),
    tok('intent', 'ServiceRequest.intent', ['intent'], 'code'),
    tok('category', 'ServiceRequest.category', ['category'], 'CodeableConcept'),
    tok('code', 'ServiceRequest.code', ['code'], 'CodeableConcept'),
    ref('requester', 'ServiceRequest.requester', ['requester'], REQUESTERS),
    date('authored', 'ServiceRequest.authoredOn', ['authoredOn']),
    identifier('ServiceRequest'),
  ],
  Binary: [],
};

/** Parameters every resource type has (R4 Resource search parameters). */
const common: SearchParamDef[] = [
  tok('_id', 'Resource.id', ['id'], 'code'),
  date('_lastUpdated', 'Resource.meta.lastUpdated', ['meta.lastUpdated']),
];

function freezeTable(): Readonly<Record<string, Readonly<Record<string, SearchParamDef>>>> {
  const table: Record<string, Readonly<Record<string, SearchParamDef>>> = {};
  for (const [type, defs] of Object.entries(byType)) {
    const params: Record<string, SearchParamDef> = {};
    for (const def of [...common, ...defs]) {
      params[def.name] = Object.freeze({
        ...def,
        paths: Object.freeze([...def.paths]),
        ...(def.targets ? { targets: Object.freeze([...def.targets]) } : {}),
      });
    }
    table[type] = Object.freeze(params);
  }
  return Object.freeze(table);
}

/** resourceType → parameter name → definition. */
export const searchParameters = freezeTable();

export const searchableResourceTypes: readonly string[] = Object.freeze(
  Object.keys(searchParameters),
);

/** Own-property lookups only: `constructor` or `__proto__` are not parameters. */
export function paramsOf(
  resourceType: string,
): Readonly<Record<string, SearchParamDef>> | undefined {
  return Object.hasOwn(searchParameters, resourceType) ? searchParameters[resourceType] : undefined;
}

export function paramDef(resourceType: string, name: string): SearchParamDef | undefined {
  const params = paramsOf(resourceType);
  return params !== undefined && Object.hasOwn(params, name) ? params[name] : undefined;
}
