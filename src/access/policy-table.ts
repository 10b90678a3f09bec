import { USER_ROLES, type UserRole } from '../auth/index.js';
import type { FhirInteraction } from './interactions.js';

/**
 * Haven's access policy, as data. Deny by default: a person may do only what a row below grants
 * to one of their roles, and only on the patients the row's `reach` names. This table is the
 * source of docs/access-policy.md (`npm run docs:access-policy`), so the document cannot drift.
 */

/** The roles a person can hold (src/auth/users/roles.ts); every one has a row below. */
export const ROLES = USER_ROLES;
export type Role = UserRole;

/**
 * Which patients' records a row reaches. `care`: the patient is on a CareTeam with the person's
 * Practitioner, has a (not cancelled) Appointment with them, or the person holds an active
 * break-glass grant for the patient. `lab-order`: the patient has a laboratory ServiceRequest.
 * `self`: the person is the patient. `any`: every patient (and resources that belong to none).
 */
export type Reach = 'any' | 'care' | 'lab-order' | 'self';

/** Row-level conditions on the resource itself, checked on every version read or written. */
export type Condition = 'released-to-patient' | 'laboratory';

/** Field sets for minimum necessary; `all` unless a row says otherwise. */
export type FieldSetName = 'all' | 'front-desk' | 'scheduling' | 'lab-order' | 'identification';

export interface FhirRule {
  types: readonly string[];
  interactions: readonly FhirInteraction[];
  reach: Reach;
  fields?: FieldSetName;
  only?: Condition;
  /** May set or clear the released-to-patient mark (a clinical decision). */
  release?: boolean;
  why: string;
}

/** Non-FHIR actions under /api that need more than a signed-in session. */
export const API_ACTIONS = [
  'users:manage',
  'break-glass:request',
  'break-glass:review',
  'disclosures:read',
  'compliance:read',
  'incidents:manage',
  'alerts:review',
] as const;
export type ApiAction = (typeof API_ACTIONS)[number];

export interface ApiRule {
  action: ApiAction;
  reach: Reach;
  why: string;
}

export interface RolePolicy {
  summary: string;
  fhir: readonly FhirRule[];
  api: readonly ApiRule[];
}

/** Clinical record types: a patient's chart. */
export const CLINICAL_TYPES = [
  'Encounter',
  'Observation',
  'Condition',
  'AllergyIntolerance',
  'MedicationRequest',
  'DocumentReference',
  'Binary',
  'Immunization',
  'Procedure',
  'DiagnosticReport',
  'CarePlan',
  'Goal',
  'ImagingStudy',
  'ServiceRequest',
  'CareTeam',
  'Appointment',
  'Consent',
] as const;
/** Billing records: part of a patient's own record, not of their care. */
export const FINANCIAL_TYPES = ['Claim', 'ExplanationOfBenefit'] as const;
/** The directory of people and places: belongs to no patient. */
export const DIRECTORY_TYPES = ['Practitioner', 'Organization'] as const;
/** Availability: a clinician's Schedule and its Slots; they name no patient (ADR 0026). */
export const SCHEDULING_TYPES = ['Schedule', 'Slot'] as const;
/** Results and notes: a patient sees them only once a clinician has released them. */
export const RELEASE_GATED_TYPES = [
  'Observation',
  'DiagnosticReport',
  'DocumentReference',
  'Binary',
] as const;

const READ: readonly FhirInteraction[] = ['read', 'vread', 'history', 'search'];
const WRITE: readonly FhirInteraction[] = ['create', 'update'];
const READ_WRITE: readonly FhirInteraction[] = [...READ, ...WRITE];

const clinician = (release: boolean): FhirRule[] => [
  {
    types: ['Patient', ...CLINICAL_TYPES],
    interactions: READ_WRITE,
    reach: 'care',
    ...(release && { release: true }),
    why: 'their own patients: care team, appointment, or an active break-glass grant',
  },
  {
    types: ['Communication'],
    interactions: READ,
    reach: 'care',
    why: 'secure messages with their own patients (sent through /api/messages, ADR 0028)',
  },
  { types: DIRECTORY_TYPES, interactions: ['read', 'search'], reach: 'any', why: 'directory' },
  {
    types: SCHEDULING_TYPES,
    interactions: READ_WRITE,
    reach: 'any',
    why: 'publishing their availability; schedules and slots name no patient',
  },
];

export const POLICY: Readonly<Record<Role, RolePolicy>> = {
  physician: {
    summary: 'Own patients only; may release results and notes to the patient.',
    fhir: clinician(true),
    api: [{ action: 'break-glass:request', reach: 'any', why: 'emergency access, with a reason' }],
  },
  nurse: {
    summary: 'Own patients only; cannot release results to the patient.',
    fhir: clinician(false),
    api: [{ action: 'break-glass:request', reach: 'any', why: 'emergency access, with a reason' }],
  },
  lab_assistant: {
    summary: 'Enters and corrects laboratory Observations for patients with a lab order.',
    fhir: [
      {
        types: ['Observation'],
        interactions: READ_WRITE,
        reach: 'lab-order',
        only: 'laboratory',
        why: 'laboratory results only',
      },
      {
        types: ['ServiceRequest'],
        interactions: ['read', 'search'],
        reach: 'lab-order',
        only: 'laboratory',
        fields: 'lab-order',
        why: 'the lab orders to fulfil: what, on whom, when; not why',
      },
      {
        types: ['Patient'],
        interactions: ['read', 'search'],
        reach: 'lab-order',
        fields: 'identification',
        why: 'to match a specimen to the right person',
      },
    ],
    api: [],
  },
  scheduler: {
    summary: 'Registers patients and books appointments; sees name, contact and schedule only.',
    fhir: [
      {
        types: ['Patient'],
        interactions: ['read', 'vread', 'search', 'create', 'update'],
        reach: 'any',
        fields: 'front-desk',
        why: 'registration: name, contact, identifiers',
      },
      {
        types: ['Appointment', 'CareTeam'],
        interactions: READ_WRITE,
        reach: 'any',
        fields: 'scheduling',
        why: 'booking visits and assigning patients to clinicians: who, when, where, not why',
      },
      {
        types: SCHEDULING_TYPES,
        interactions: READ_WRITE,
        reach: 'any',
        why: "keeping clinicians' availability: schedules and free or busy slots",
      },
      { types: DIRECTORY_TYPES, interactions: ['read', 'search'], reach: 'any', why: 'directory' },
    ],
    api: [],
  },
  patient: {
    summary: 'Their own record only, and results and notes only once released to them.',
    fhir: [
      {
        types: RELEASE_GATED_TYPES,
        interactions: READ,
        reach: 'self',
        only: 'released-to-patient',
        why: 'results and notes, once released',
      },
      {
        types: [
          'Patient',
          ...CLINICAL_TYPES.filter((t) => !(RELEASE_GATED_TYPES as readonly string[]).includes(t)),
          ...FINANCIAL_TYPES,
        ],
        interactions: READ,
        reach: 'self',
        why: 'right of access to their own record',
      },
      {
        types: ['Communication'],
        interactions: READ,
        reach: 'self',
        why: 'their secure messages (sent through /api/messages, ADR 0028)',
      },
      { types: DIRECTORY_TYPES, interactions: ['read', 'search'], reach: 'any', why: 'directory' },
    ],
    api: [{ action: 'disclosures:read', reach: 'self', why: 'who accessed my record' }],
  },
  admin: {
    summary: 'Manages users and the directory; reads no clinical data (separation of duties).',
    fhir: [
      {
        types: DIRECTORY_TYPES,
        interactions: READ_WRITE,
        reach: 'any',
        why: 'keeps the practitioner and organization directory',
      },
    ],
    api: [
      { action: 'users:manage', reach: 'any', why: 'invite, disable, reset MFA, unlock' },
      { action: 'break-glass:review', reach: 'any', why: 'list and end emergency grants' },
    ],
  },
  auditor: {
    summary: 'Reads the audit trail and reviews emergency access; no clinical data.',
    fhir: [
      { types: ['AuditEvent'], interactions: ['read', 'search'], reach: 'any', why: 'the trail' },
    ],
    api: [
      { action: 'disclosures:read', reach: 'any', why: 'accounting of disclosures' },
      { action: 'break-glass:review', reach: 'any', why: 'review emergency access' },
      { action: 'compliance:read', reach: 'any', why: 'the compliance report (ids and counts)' },
      { action: 'incidents:manage', reach: 'any', why: 'breach response: incidents, notices' },
      { action: 'alerts:review', reach: 'any', why: 'review and acknowledge security alerts' },
    ],
  },
};
