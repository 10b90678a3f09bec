import { beforeAll, describe, expect, it } from 'vitest';
import {
  parseSearchRequest,
  patientCompartmentRef,
  type IndexableResource,
} from '../../../src/records/search/index.js';
import { loadBundle, ofType, syntheaFiles } from './helpers/synthea.js';
import { ids, TermStore } from './helpers/two-phase.js';

type WithRefs = IndexableResource & {
  subject?: { reference: string };
  participant?: Array<{ individual?: { reference: string } }>;
  serviceProvider?: { reference: string };
};

let resources: IndexableResource[];
let store: TermStore;
let patientId: string;

beforeAll(() => {
  resources = [...loadBundle(syntheaFiles()[0]!), ...loadBundle(syntheaFiles()[1]!)];
  store = new TermStore(resources);
  patientId = ofType(resources, 'Patient')[0]!.id!;
});

describe('reference search', () => {
  it('patient=Patient/id, patient=id, subject=id and subject:Patient=id agree', () => {
    const mine = ofType<WithRefs>(resources, 'Observation').filter(
      (o) => o.subject?.reference === `Patient/${patientId}`,
    );
    expect(mine.length).toBeGreaterThan(10);
    for (const q of [
      ['patient', `Patient/${patientId}`],
      ['patient', patientId],
      ['subject', patientId],
      ['subject', `Patient/${patientId}`],
      ['subject:Patient', patientId],
    ] as Array<[string, string]>) {
      expect(ids(store.query('Observation', [q]))).toEqual(ids(mine));
    }
    expect(store.query('Observation', [['subject:Group', patientId]])).toEqual([]);
  });

  it('participant, practitioner and service-provider on Encounter', () => {
    const encounters = ofType<WithRefs>(resources, 'Encounter');
    const e = encounters.find((x) => x.participant?.[0]?.individual)!;
    const practitioner = e.participant![0]!.individual!.reference;
    const expected = encounters.filter((x) =>
      x.participant?.some((p) => p.individual?.reference === practitioner),
    );
    expect(ids(store.query('Encounter', [['practitioner', practitioner]]))).toEqual(ids(expected));
    expect(ids(store.query('Encounter', [['participant', practitioner.split('/')[1]!]]))).toEqual(
      ids(expected),
    );
    const org = e.serviceProvider!.reference;
    const byOrg = encounters.filter((x) => x.serviceProvider?.reference === org);
    expect(ids(store.query('Encounter', [['service-provider', org]]))).toEqual(ids(byOrg));
  });

  it('refuses references the parameter cannot point to, absolute URLs and versions', () => {
    expect(() => parseSearchRequest('Observation', [['patient', 'Practitioner/1']])).toThrow(
      /reference type/,
    );
    expect(() =>
      parseSearchRequest('Observation', [['patient', 'https://x.org/fhir/Patient/1']]),
    ).toThrow(/absolute/);
    expect(() => parseSearchRequest('Observation', [['patient', 'urn:uuid:1234']])).toThrow(
      /absolute/,
    );
    expect(() => parseSearchRequest('Observation', [['patient', 'Patient/1/_history/2']])).toThrow(
      /version/,
    );
    expect(() => parseSearchRequest('Observation', [['patient', 'not an id']])).toThrow(/Type\/id/);
    expect(() => parseSearchRequest('Observation', [['subject:Practitioner', '1']])).toThrow(
      /type modifier/,
    );
  });

  it('a Group subject is not a patient', () => {
    const obs = {
      resourceType: 'Observation',
      id: 'g1',
      subject: { reference: 'Group/7' },
    } as IndexableResource;
    const s = new TermStore([obs]);
    expect(ids(s.query('Observation', [['subject', 'Group/7']]))).toEqual(['g1']);
    expect(ids(s.query('Observation', [['subject', '7']]))).toEqual(['g1']);
    expect(s.query('Observation', [['patient', '7']])).toEqual([]);
    expect(patientCompartmentRef(obs)).toBeUndefined();
  });
});

describe('patientCompartmentRef', () => {
  it('maps every clinical resource of a bundle to that bundle’s patient', () => {
    for (const file of syntheaFiles().slice(0, 5)) {
      const bundle = loadBundle(file);
      const patient = ofType(bundle, 'Patient')[0]!;
      for (const r of bundle) {
        const expected =
          r.resourceType === 'Organization' || r.resourceType === 'Practitioner'
            ? undefined
            : `Patient/${patient.id}`;
        expect(patientCompartmentRef(r), `${r.resourceType}/${r.id}`).toBe(expected);
      }
    }
  });

  it('Binary by securityContext; Patient without id; unknown shapes', () => {
    expect(
      patientCompartmentRef({
        resourceType: 'Binary',
        securityContext: { reference: 'Patient/p1' },
      }),
    ).toBe('Patient/p1');
    expect(
      patientCompartmentRef({
        resourceType: 'Binary',
        securityContext: { reference: 'Organization/o' },
      }),
    ).toBeUndefined();
    expect(patientCompartmentRef({ resourceType: 'Binary' })).toBeUndefined();
    expect(patientCompartmentRef({ resourceType: 'Patient' })).toBeUndefined();
    expect(patientCompartmentRef({ resourceType: 'Patient', id: 'p2' })).toBe('Patient/p2');
    expect(
      patientCompartmentRef({
        resourceType: 'AllergyIntolerance',
        patient: { reference: 'Patient/p3' },
      }),
    ).toBe('Patient/p3');
    expect(
      patientCompartmentRef({
        resourceType: 'DocumentReference',
        subject: { reference: 'Patient/p4/_history/3' },
      }),
    ).toBe('Patient/p4');
    expect(
      patientCompartmentRef({
        resourceType: 'Observation',
        subject: { reference: 'urn:uuid:abc' },
      }),
    ).toBeUndefined();
    expect(patientCompartmentRef({})).toBeUndefined();
  });
});
