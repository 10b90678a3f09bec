import { RELEASE_TAG, ROLES, type Role } from '../../../src/access/index.js';
import type { TestResponse, TestServer } from '../../support/haven-server.js';
import {
  api,
  createUser,
  signIn,
  type Jar,
  type TestClock,
  type TestUser,
} from '../auth/sign-in.js';

/**
 * A small synthetic clinic for the access tests, written through the FHIR API with the test
 * server's integration token. Three patients: `own` (on Dr Testdoc's care team, with an
 * appointment with Nurse Testnurse and a lab order), `other` (Dr Otherdoc's patient, no lab
 * order) and `none` (related to nobody). Each holds one record of every variant below.
 */
export const RELATIONS = ['own', 'other', 'none'] as const;
export type Relation = (typeof RELATIONS)[number];

export const VARIANTS = [
  'Patient',
  'Observation:lab',
  'Observation:vital',
  'Condition',
  'DocumentReference',
  'Binary:released',
  'Binary:unreleased',
  'Encounter',
  'MedicationRequest',
  'Appointment',
  'CareTeam',
  'ServiceRequest',
] as const;
export type Variant = (typeof VARIANTS)[number];

export const typeOf = (v: Variant | 'Practitioner'): string => v.split(':')[0]!;

export interface Clinic {
  patients: Record<Relation, string>;
  practitioners: { doc: string; nurse: string; otherDoc: string };
  /** Stored resources (as the server returned them) by patient relation and variant. */
  records: Record<Relation, Record<Variant, Record<string, unknown> & { id: string }>>;
}

const released = { tag: [{ ...RELEASE_TAG }] };

/** The body of one variant for one patient; `team` are the practitioners the sources name. */
export function variantBody(
  v: Variant,
  patient: string,
  relation: Relation,
  p: Clinic['practitioners'],
): Record<string, unknown> {
  const subject = { reference: `Patient/${patient}` };
  switch (v) {
    case 'Patient':
      throw new Error('patients are created separately');
    case 'Observation:lab':
      return {
        resourceType: 'Observation',
        meta: released,
        status: 'final',
        category: [
          {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/observation-category',
                code: 'laboratory',
              },
            ],
          },
        ],
        code: { coding: [{ system: 'http://loinc.org', code: '2345-7' }], text: 'Glucose' },
        subject,
        valueQuantity: { value: 95, unit: 'mg/dL' },
      };
    case 'Observation:vital':
      return {
        resourceType: 'Observation',
        status: 'final',
        category: [
          {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/observation-category',
                code: 'vital-signs',
              },
            ],
          },
        ],
        code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }], text: 'Heart rate' },
        subject,
        valueQuantity: { value: 64, unit: '/min' },
      };
    case 'Condition':
      return { resourceType: 'Condition', subject, code: { text: 'Synthetic test condition' } };
    case 'DocumentReference':
      return {
        resourceType: 'DocumentReference',
        meta: released,
        status: 'current',
        subject,
        content: [
          {
            attachment: {
              contentType: 'text/plain',
              data: Buffer.from('synthetic visit note').toString('base64'),
            },
          },
        ],
      };
    case 'Binary:released':
    case 'Binary:unreleased':
      return {
        resourceType: 'Binary',
        ...(v === 'Binary:released' && { meta: released }),
        contentType: 'text/plain',
        securityContext: subject,
        data: Buffer.from('synthetic attachment').toString('base64'),
      };
    case 'Encounter':
      return {
        resourceType: 'Encounter',
        status: 'finished',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'VR' },
        subject,
      };
    case 'MedicationRequest':
      return {
        resourceType: 'MedicationRequest',
        status: 'active',
        intent: 'order',
        medicationCodeableConcept: { text: 'Synthetic medication' },
        subject,
      };
    case 'Appointment': {
      const clinician =
        relation === 'own' ? p.nurse : relation === 'other' ? p.otherDoc : undefined;
      return {
        resourceType: 'Appointment',
        status: 'booked',
        start: '2031-05-07T09:00:00Z',
        end: '2031-05-07T09:20:00Z',
        participant: [
          { actor: subject, status: 'accepted' },
          ...(clinician
            ? [{ actor: { reference: `Practitioner/${clinician}` }, status: 'accepted' }]
            : []),
        ],
      };
    }
    case 'CareTeam': {
      const clinician = relation === 'own' ? p.doc : relation === 'other' ? p.otherDoc : undefined;
      return {
        resourceType: 'CareTeam',
        status: 'active',
        subject,
        participant: clinician ? [{ member: { reference: `Practitioner/${clinician}` } }] : [],
      };
    }
    case 'ServiceRequest':
      return {
        resourceType: 'ServiceRequest',
        status: 'active',
        intent: 'order',
        subject,
        category: [
          {
            coding: [
              relation === 'own'
                ? { system: 'http://snomed.info/sct', code: '108252007' }
                : { system: 'http://snomed.info/sct', code: '363679005' }, // imaging
            ],
          },
        ],
        code: { text: relation === 'own' ? 'Synthetic lab panel' : 'Synthetic imaging' },
      };
  }
}

async function created(
  t: TestServer,
  body: Record<string, unknown>,
): Promise<Record<string, unknown> & { id: string }> {
  const res = await t.request('POST', `/fhir/R4/${String(body.resourceType)}`, {
    body,
    headers: { accept: 'application/fhir+json' },
  });
  if (res.status !== 201) throw new Error(`fixture create failed: ${res.status} ${res.text}`);
  return res.json() as Record<string, unknown> & { id: string };
}

export async function buildClinic(t: TestServer): Promise<Clinic> {
  const practitioner = async (family: string) =>
    (await created(t, { resourceType: 'Practitioner', name: [{ family, given: ['Test'] }] })).id;
  const practitioners = {
    doc: await practitioner('Testdoc'),
    nurse: await practitioner('Testnurse'),
    otherDoc: await practitioner('Otherdoc'),
  };
  const patients = {} as Record<Relation, string>;
  const records = {} as Clinic['records'];
  for (const relation of RELATIONS) {
    const patient = await created(t, {
      resourceType: 'Patient',
      name: [{ family: `Testpatient-${relation}`, given: ['Synthetic'] }],
      gender: 'unknown',
      birthDate: '1970-01-01',
      telecom: [{ system: 'phone', value: '555-0100' }],
    });
    patients[relation] = patient.id;
    records[relation] = { Patient: patient } as Clinic['records'][Relation];
    for (const v of VARIANTS) {
      if (v === 'Patient') continue;
      records[relation][v] = await created(t, variantBody(v, patient.id, relation, practitioners));
    }
  }
  return { patients, practitioners, records };
}

export const ROLE_USERS = ROLES;
export type RoleUser = Role;

export interface SignedIn {
  user: TestUser;
  jar: Jar;
}

/** One signed-in person per role, linked as the clinic needs (Dr Testdoc, patient `own`…). */
export async function signInRole(
  t: TestServer,
  clock: TestClock,
  clinic: Clinic,
  role: RoleUser,
): Promise<SignedIn> {
  const user = await createUser(t, clock, {
    totp: true,
    roles: [role],
    ...(role === 'physician' && { practitionerId: clinic.practitioners.doc }),
    ...(role === 'nurse' && { practitionerId: clinic.practitioners.nurse }),
    ...(role === 'patient' && { patientId: clinic.patients.own }),
  });
  return { user, jar: await signIn(t, clock, user) };
}

/** A FHIR request as the web app sends it: session cookie, same origin, CSRF token. */
export function fhirAs(
  t: TestServer,
  who: SignedIn,
  method: string,
  path: string,
  body?: unknown,
): Promise<TestResponse> {
  const headers: Record<string, string> = {
    origin: new URL(t.server.url).origin,
    accept: 'application/fhir+json',
    cookie: `__Host-haven_session=${who.jar.session}`,
  };
  if (who.jar.csrf) headers['x-csrf-token'] = who.jar.csrf;
  return t.request(method, path, { token: null, headers, ...(body !== undefined && { body }) });
}

export { api };
