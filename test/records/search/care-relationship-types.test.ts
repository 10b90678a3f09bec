import { describe, expect, it } from 'vitest';
import { SUPPORTED_TYPES } from '../../../src/records/resource-types.js';
import {
  parseSearchRequest,
  patientCompartmentRef,
  searchParameters,
  type IndexableResource,
} from '../../../src/records/search/index.js';
import { ids, TermStore } from './helpers/two-phase.js';

/**
 * CareTeam, Appointment and ServiceRequest: the resources access control reads to decide who
 * cares for a patient (team membership, appointment participation, lab orders). Synthea bundles
 * carry none, so each parameter is exercised on small synthetic resources, through both phases.
 */

const SNOMED = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';
const LOCAL_IDS = 'urn:test:haven-ids';

const careTeam = {
  resourceType: 'CareTeam',
  id: 'ct-1',
  identifier: [{ system: LOCAL_IDS, value: 'CT-0001' }],
  status: 'active',
  category: [{ coding: [{ system: LOINC, code: 'LA27976-2' }] }],
  subject: { reference: 'Patient/pat-1' },
  period: { start: '2025-01-01', end: '2025-12-31' },
  participant: [
    { member: { reference: 'Practitioner/prac-1' } },
    { member: { reference: 'Organization/org-1' } },
  ],
} as IndexableResource;
const otherTeam = {
  resourceType: 'CareTeam',
  id: 'ct-2',
  status: 'inactive',
  subject: { reference: 'Group/grp-1' },
  period: { start: '2020-03-01', end: '2020-06-30' },
  participant: [{ member: { reference: 'PractitionerRole/role-1' } }],
} as IndexableResource;

const appointment = {
  resourceType: 'Appointment',
  id: 'appt-1',
  identifier: [{ system: LOCAL_IDS, value: 'AP-0001' }],
  status: 'booked',
  serviceType: [{ coding: [{ system: SNOMED, code: '394802001' }] }],
  appointmentType: {
    coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0276', code: 'FOLLOWUP' }],
  },
  start: '2025-05-20T09:00:00Z',
  end: '2025-05-20T09:30:00Z',
  participant: [
    { actor: { reference: 'Practitioner/prac-1' }, status: 'accepted' },
    { actor: { reference: 'Patient/pat-1' }, status: 'accepted' },
    { actor: { reference: 'Location/loc-1' }, status: 'accepted' },
  ],
} as IndexableResource;
const otherAppointment = {
  resourceType: 'Appointment',
  id: 'appt-2',
  status: 'proposed',
  start: '2025-07-01T14:00:00Z',
  participant: [
    { actor: { reference: 'Patient/pat-2' }, status: 'needs-action' },
    { actor: { reference: 'Practitioner/prac-2' }, status: 'tentative' },
  ],
} as IndexableResource;

const labOrder = {
  resourceType: 'ServiceRequest',
  id: 'sr-1',
  identifier: [{ system: LOCAL_IDS, value: 'SR-0001' }],
  status: 'active',
  intent: 'order',
  category: [{ coding: [{ system: SNOMED, code: '108252007' }] }],
  code: { coding: [{ system: LOINC, code: '2345-7' }] },
  subject: { reference: 'Patient/pat-1' },
  requester: { reference: 'Practitioner/prac-1' },
  authoredOn: '2025-05-20T10:15:00Z',
} as IndexableResource;
const otherOrder = {
  resourceType: 'ServiceRequest',
  id: 'sr-2',
  status: 'completed',
  intent: 'plan',
  code: { coding: [{ system: LOINC, code: '718-7' }] },
  subject: { reference: 'Location/loc-1' },
  requester: { reference: 'PractitionerRole/role-1' },
  authoredOn: '2023-02-01',
} as IndexableResource;

const store = new TermStore([
  careTeam,
  otherTeam,
  appointment,
  otherAppointment,
  labOrder,
  otherOrder,
]);

function hits(type: string, param: string, value: string): string[] {
  return ids(store.query(type, [[param, value]]));
}

describe('the three types are supported', () => {
  it('are stored types with their R4 parameters', () => {
    const expected: Record<string, string[]> = {
      CareTeam: ['patient', 'subject', 'status', 'category', 'participant', 'date', 'identifier'],
      Appointment: [
        'patient',
        'actor',
        'practitioner',
        'date',
        'status',
        'identifier',
        'service-type',
        'appointment-type',
      ],
      ServiceRequest: [
        'patient',
        'subject',
        'status',
        'intent',
        'category',
        'code',
        'requester',
        'authored',
        'identifier',
      ],
    };
    for (const [type, params] of Object.entries(expected)) {
      expect(SUPPORTED_TYPES.has(type), type).toBe(true);
      // The registry serves every standard parameter; these are the ones the types were added for.
      expect(Object.keys(searchParameters()[type]!)).toEqual(
        expect.arrayContaining(['_id', '_lastUpdated', ...params]),
      );
    }
  });
});

describe('CareTeam search', () => {
  it.each([
    ['patient', 'Patient/pat-1', ['ct-1']],
    ['patient', 'pat-1', ['ct-1']],
    ['patient', 'pat-2', []],
    ['subject', 'Group/grp-1', ['ct-2']],
    ['subject', 'pat-1', ['ct-1']],
    ['status', 'active', ['ct-1']],
    ['status', 'inactive', ['ct-2']],
    ['status', 'proposed', []],
    ['category', `${LOINC}|LA27976-2`, ['ct-1']],
    ['category', `${SNOMED}|LA27976-2`, []],
    ['participant', 'Practitioner/prac-1', ['ct-1']],
    ['participant', 'Organization/org-1', ['ct-1']],
    ['participant', 'role-1', ['ct-2']],
    ['participant', 'Practitioner/prac-2', []],
    ['date', '2025', ['ct-1']],
    ['date', 'ge2025-06', ['ct-1']],
    ['date', '2025-06', []], // the Period is not within June
    ['date', 'lt2021', ['ct-2']],
    ['date', '2022', []],
    ['identifier', `${LOCAL_IDS}|CT-0001`, ['ct-1']],
    ['identifier', 'CT-0002', []],
  ])('%s=%s → %j', (param, value, expected) => {
    expect(hits('CareTeam', param, value)).toEqual(expected);
  });
});

describe('Appointment search', () => {
  it.each([
    ['patient', 'Patient/pat-1', ['appt-1']],
    ['patient', 'pat-2', ['appt-2']],
    ['patient', 'pat-3', []],
    ['actor', 'Practitioner/prac-1', ['appt-1']],
    ['actor', 'Patient/pat-2', ['appt-2']],
    ['actor', 'Location/loc-1', ['appt-1']],
    ['actor', 'Device/dev-1', []],
    ['practitioner', 'prac-2', ['appt-2']],
    ['practitioner', 'Practitioner/prac-1', ['appt-1']],
    ['practitioner', 'Practitioner/prac-3', []],
    ['date', '2025-05-20', ['appt-1']],
    ['date', 'ge2025-06-01', ['appt-2']],
    ['date', '2025-05-21', []],
    ['status', 'booked', ['appt-1']],
    ['status', 'proposed', ['appt-2']],
    ['status', 'cancelled', []],
    ['identifier', 'AP-0001', ['appt-1']],
    ['identifier', `${LOCAL_IDS}|AP-0002`, []],
    ['service-type', `${SNOMED}|394802001`, ['appt-1']],
    ['service-type', '394802002', []],
    ['appointment-type', 'FOLLOWUP', ['appt-1']],
    ['appointment-type', 'ROUTINE', []],
  ])('%s=%s → %j', (param, value, expected) => {
    expect(hits('Appointment', param, value)).toEqual(expected);
  });

  it('patient and practitioner refuse the other participant types', () => {
    expect(() => parseSearchRequest('Appointment', [['patient', 'Practitioner/prac-1']])).toThrow(
      /reference type/,
    );
    expect(() => parseSearchRequest('Appointment', [['practitioner', 'Patient/pat-1']])).toThrow(
      /reference type/,
    );
    // A practitioner's id given bare is looked up as a Patient id only, so it finds nothing.
    expect(hits('Appointment', 'patient', 'prac-1')).toEqual([]);
  });
});

describe('ServiceRequest search', () => {
  it.each([
    ['patient', 'Patient/pat-1', ['sr-1']],
    ['patient', 'loc-1', []],
    ['subject', 'Location/loc-1', ['sr-2']],
    ['subject', 'pat-1', ['sr-1']],
    ['status', 'active', ['sr-1']],
    ['status', 'completed', ['sr-2']],
    ['status', 'revoked', []],
    ['intent', 'order', ['sr-1']],
    ['intent', 'plan', ['sr-2']],
    ['intent', 'proposal', []],
    ['category', `${SNOMED}|108252007`, ['sr-1']],
    ['category', '363679005', []],
    ['code', `${LOINC}|2345-7`, ['sr-1']],
    ['code', '718-7', ['sr-2']],
    ['code', `${SNOMED}|718-7`, []],
    ['requester', 'Practitioner/prac-1', ['sr-1']],
    ['requester', 'role-1', ['sr-2']],
    ['requester', 'Organization/org-1', []],
    ['authored', '2025-05-20', ['sr-1']],
    ['authored', 'lt2024', ['sr-2']],
    ['authored', '2024', []],
    ['identifier', `${LOCAL_IDS}|SR-0001`, ['sr-1']],
    ['identifier', 'SR-0002', []],
  ])('%s=%s → %j', (param, value, expected) => {
    expect(hits('ServiceRequest', param, value)).toEqual(expected);
  });
});

describe('compartment owner of the three types', () => {
  it('CareTeam and ServiceRequest belong to their subject when it is a Patient', () => {
    expect(patientCompartmentRef(careTeam)).toBe('Patient/pat-1');
    expect(patientCompartmentRef(labOrder)).toBe('Patient/pat-1');
    // A Group or Location subject is no patient's; neither are the members or the requester.
    expect(patientCompartmentRef(otherTeam)).toBeUndefined();
    expect(patientCompartmentRef(otherOrder)).toBeUndefined();
  });

  it('an Appointment belongs to its first Patient participant, not to a practitioner listed first', () => {
    expect(patientCompartmentRef(appointment)).toBe('Patient/pat-1');
    expect(patientCompartmentRef(otherAppointment)).toBe('Patient/pat-2');
    expect(
      patientCompartmentRef({
        resourceType: 'Appointment',
        status: 'booked',
        participant: [
          { actor: { reference: 'Practitioner/prac-9' }, status: 'accepted' },
          { actor: { reference: 'PractitionerRole/role-9' }, status: 'accepted' },
          { actor: { reference: 'Patient/pat-9/_history/2' }, status: 'accepted' },
          { actor: { reference: 'Patient/pat-10' }, status: 'accepted' },
        ],
      }),
    ).toBe('Patient/pat-9');
  });

  it('an Appointment without a relative Patient actor belongs to no patient', () => {
    for (const participant of [
      [{ actor: { reference: 'Practitioner/prac-1' }, status: 'accepted' }],
      [{ actor: { reference: 'urn:uuid:0000' }, status: 'accepted' }],
      [{ actor: { display: 'Testpatient' }, status: 'accepted' }],
      [{ type: [{ text: 'slot' }], status: 'needs-action' }],
    ]) {
      expect(
        patientCompartmentRef({ resourceType: 'Appointment', status: 'proposed', participant }),
      ).toBeUndefined();
    }
  });
});
