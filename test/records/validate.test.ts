import { beforeAll, describe, expect, it } from 'vitest';
import { FhirError } from '../../src/records/errors.js';
import { loadFhirDefinitions, validateFhirResource } from '../../src/records/validate.js';

/** Validation of the care-relationship types: R4 structure plus their required bindings. */

const appointment = (): Record<string, unknown> => ({
  resourceType: 'Appointment',
  id: 'appt-1',
  status: 'booked',
  start: '2025-05-20T09:00:00Z',
  end: '2025-05-20T09:30:00Z',
  participant: [
    { actor: { reference: 'Patient/pat-1', display: 'Testpatient' }, status: 'accepted' },
    { actor: { reference: 'Practitioner/prac-1' }, required: 'required', status: 'tentative' },
  ],
});

const careTeam = (): Record<string, unknown> => ({
  resourceType: 'CareTeam',
  id: 'ct-1',
  status: 'active',
  subject: { reference: 'Patient/pat-1' },
  period: { start: '2025-01-01' },
  participant: [
    {
      role: [{ coding: [{ system: 'http://snomed.info/sct', code: '158965000' }] }],
      member: { reference: 'Practitioner/prac-1' },
    },
  ],
});

const serviceRequest = (): Record<string, unknown> => ({
  resourceType: 'ServiceRequest',
  id: 'sr-1',
  status: 'active',
  intent: 'order',
  code: { coding: [{ system: 'http://loinc.org', code: '2345-7' }] },
  subject: { reference: 'Patient/pat-1' },
  requester: { reference: 'Practitioner/prac-1' },
  authoredOn: '2025-05-20T10:15:00Z',
});

/** The refusal's issues (the first is the summary), or undefined when the resource is accepted. */
function refusal(resource: unknown): FhirError | undefined {
  try {
    validateFhirResource(resource);
    return undefined;
  } catch (e) {
    if (e instanceof FhirError) return e;
    throw e;
  }
}

function expressions(e: FhirError | undefined): string[] {
  return (e?.issues ?? []).flatMap((i) => i.expression ?? []);
}

beforeAll(() => loadFhirDefinitions());

describe('validateFhirResource on CareTeam, Appointment and ServiceRequest', () => {
  it('accepts typical valid resources', () => {
    for (const make of [appointment, careTeam, serviceRequest]) {
      expect(refusal(make()), make().resourceType as string).toBeUndefined();
    }
    // CareTeam has no mandatory element in R4.
    expect(refusal({ resourceType: 'CareTeam' })).toBeUndefined();
    expect(
      refusal({
        ...appointment(),
        participant: [{ type: [{ text: 'slot' }], status: 'needs-action' }],
      }),
    ).toBeUndefined();
  });

  it.each([
    [
      'Appointment without participant',
      { ...appointment(), participant: undefined },
      'Appointment.participant',
    ],
    ['Appointment without status', { ...appointment(), status: undefined }, 'Appointment.status'],
    [
      'Appointment participant without status',
      { ...appointment(), participant: [{ actor: { reference: 'Patient/pat-1' } }] },
      'Appointment.participant[0].status',
    ],
    // R4 invariant app-3: only proposed or cancelled appointments may lack start and end.
    [
      'booked Appointment without start and end',
      { ...appointment(), start: undefined, end: undefined },
      'Appointment',
    ],
    [
      'ServiceRequest without subject',
      { ...serviceRequest(), subject: undefined },
      'ServiceRequest.subject',
    ],
    [
      'ServiceRequest without intent',
      { ...serviceRequest(), intent: undefined },
      'ServiceRequest.intent',
    ],
    [
      'ServiceRequest without status',
      { ...serviceRequest(), status: undefined },
      'ServiceRequest.status',
    ],
    // An unknown element is reported at its nearest known parent, never by its own name.
    ['CareTeam with an unknown element', { ...careTeam(), team: 'Testteam' }, 'CareTeam'],
  ])('refuses %s', (_what, resource, path) => {
    const e = refusal(JSON.parse(JSON.stringify(resource)));
    expect(e?.status).toBe(400);
    expect(e?.code).toBe('structure');
    expect(expressions(e)).toContain(path);
  });

  it.each([
    ['Appointment', 'status', 'scheduled', appointment],
    ['CareTeam', 'status', 'done', careTeam],
    ['ServiceRequest', 'status', 'open', serviceRequest],
    ['ServiceRequest', 'intent', 'request', serviceRequest],
  ])(
    'refuses a %s whose %s is %s, not a code of its required value set',
    (type, field, code, make) => {
      const path = `${type}.${field}`;
      expect(refusal(make())).toBeUndefined();
      expect(expressions(refusal({ ...make(), [field]: code }))).toContain(path);
    },
  );

  it('checks the required binding of every Appointment participant status', () => {
    const ok = appointment();
    const participants = ok.participant as Array<Record<string, unknown>>;
    const bad = {
      ...ok,
      participant: [participants[0], { ...participants[1], status: 'confirmed' }],
    };
    expect(expressions(refusal(bad))).toContain('Appointment.participant.status');
    expect(refusal(ok)).toBeUndefined();
  });

  it('still refuses bad codes of the existing tables (top-level fields unchanged)', () => {
    expect(expressions(refusal({ resourceType: 'Patient', gender: 'M' }))).toContain(
      'Patient.gender',
    );
    expect(refusal({ resourceType: 'Patient', gender: 'female' })).toBeUndefined();
  });
});
