import { beforeAll, describe, expect, it } from 'vitest';
import type { IndexableResource } from '../../../src/records/search/index.js';
import { loadAll, ofType } from './helpers/synthea.js';
import { ids, TermStore } from './helpers/two-phase.js';

interface Identified {
  identifier: Array<{ system?: string; value: string }>;
  telecom?: Array<{ system: string; value: string }>;
  gender?: string;
}
interface Coded {
  code: { coding: Array<{ system: string; code: string }> };
  category?: Array<{ coding: Array<{ system: string; code: string }> }>;
  status: string;
}

let all: IndexableResource[];
let store: TermStore;
const noSystem = {
  resourceType: 'Patient',
  id: 'token-1',
  identifier: [{ value: 'LOCAL-42' }, { system: 'urn:test:other', value: 'Case-7' }],
  telecom: [
    { system: 'phone', value: ' 555-0100 ' },
    { system: 'email', value: 'testy.canary@example.org' },
  ],
} as IndexableResource;

beforeAll(() => {
  all = [...loadAll(), noSystem];
  store = new TermStore(all);
});

describe('token search on identifiers', () => {
  it('system|value, value, system| and |value forms', () => {
    const patients = ofType<Identified>(all, 'Patient').filter((p) => p.id !== 'token-1');
    const p = patients[3]!;
    const mrn = p.identifier[1]!;
    expect(mrn.system).toBeDefined();
    expect(ids(store.query('Patient', [['identifier', `${mrn.system}|${mrn.value}`]]))).toEqual([
      p.id,
    ]);
    expect(ids(store.query('Patient', [['identifier', mrn.value]]))).toEqual([p.id]);
    expect(ids(store.query('Patient', [['identifier', `|${mrn.value}`]]))).toEqual([]); // it has a system
    expect(ids(store.query('Patient', [['identifier', `urn:wrong|${mrn.value}`]]))).toEqual([]);
    expect(ids(store.query('Patient', [['identifier', mrn.value.toUpperCase() + 'x']]))).toEqual(
      [],
    );
    const withSystem = patients.filter((q) => q.identifier.some((i) => i.system === mrn.system));
    expect(withSystem.length).toBeGreaterThan(20);
    expect(ids(store.query('Patient', [['identifier', `${mrn.system}|`]]))).toEqual(
      ids(withSystem),
    );
  });

  it('|value finds identifiers without a system; matching is case-sensitive', () => {
    expect(ids(store.query('Patient', [['identifier', '|LOCAL-42']]))).toEqual(['token-1']);
    expect(ids(store.query('Patient', [['identifier', 'LOCAL-42']]))).toEqual(['token-1']);
    expect(ids(store.query('Patient', [['identifier', 'local-42']]))).toEqual([]);
    expect(ids(store.query('Patient', [['identifier', 'urn:test:other|Case-7']]))).toEqual([
      'token-1',
    ]);
    expect(ids(store.query('Patient', [['identifier', '|Case-7']]))).toEqual([]);
  });
});

describe('token search on codings and codes', () => {
  it('Observation code by system|code and by code, category, status', () => {
    const observations = ofType<Coded>(all, 'Observation');
    const coding = observations[0]!.code.coding[0]!;
    const expected = observations.filter((o) =>
      o.code.coding.some((c) => c.system === coding.system && c.code === coding.code),
    );
    expect(expected.length).toBeGreaterThan(1);
    expect(ids(store.query('Observation', [['code', `${coding.system}|${coding.code}`]]))).toEqual(
      ids(expected),
    );
    expect(ids(store.query('Observation', [['code', coding.code]]))).toEqual(ids(expected));
    expect(ids(store.query('Observation', [['code', `|${coding.code}`]]))).toEqual([]);

    const vital = observations.filter((o) =>
      o.category?.some((c) => c.coding.some((x) => x.code === 'vital-signs')),
    );
    expect(ids(store.query('Observation', [['category', 'vital-signs']]))).toEqual(ids(vital));
    const notFinal = observations.filter((o) => o.status !== 'final');
    expect(ids(store.query('Observation', [['status:not', 'final']]))).toEqual(ids(notFinal));
    const both = store.query('Observation', [
      ['category', 'vital-signs'],
      ['code', coding.code],
    ]);
    expect(ids(both)).toEqual(ids(vital.filter((o) => expected.includes(o))));
  });

  it('code primitives have no system: gender, |gender', () => {
    const females = ofType<Identified>(all, 'Patient').filter((p) => p.gender === 'female');
    expect(females.length).toBeGreaterThan(5);
    expect(ids(store.query('Patient', [['gender', 'female']]))).toEqual(ids(females));
    expect(ids(store.query('Patient', [['gender', '|female']]))).toEqual(ids(females));
    expect(ids(store.query('Patient', [['gender', 'Female']]))).toEqual([]);
  });

  it('phone, email and telecom read ContactPoint values (trimmed, exact)', () => {
    const p = ofType<Identified>(all, 'Patient')[0]!;
    const phone = p.telecom![0]!.value;
    expect(ids(store.query('Patient', [['phone', phone]]))).toContain(p.id);
    expect(ids(store.query('Patient', [['telecom', phone]]))).toContain(p.id);
    expect(ids(store.query('Patient', [['email', phone]]))).toEqual([]);
    expect(ids(store.query('Patient', [['phone', '555-0100']]))).toEqual(['token-1']);
    expect(ids(store.query('Patient', [['email', 'testy.canary@example.org']]))).toEqual([
      'token-1',
    ]);
    expect(ids(store.query('Patient', [['phone', 'testy.canary@example.org']]))).toEqual([]);
  });

  it('_id and :missing', () => {
    const obs = ofType<Coded>(all, 'Observation')[5]!;
    expect(ids(store.query('Observation', [['_id', obs.id!]]))).toEqual([obs.id]);
    const patients = ofType<Identified>(all, 'Patient');
    expect(ids(store.query('Patient', [['email:missing', 'false']]))).toEqual(['token-1']);
    expect(store.query('Patient', [['email:missing', 'true']])).toHaveLength(patients.length - 1);
  });

  it('escaped | and , are literal characters of a code', () => {
    const odd = {
      resourceType: 'Patient',
      id: 'token-2',
      identifier: [{ system: 'urn:x', value: 'a|b,c' }],
    } as IndexableResource;
    const s = new TermStore([odd]);
    expect(ids(s.query('Patient', [['identifier', 'urn:x|a\\|b\\,c']]))).toEqual(['token-2']);
    expect(ids(s.query('Patient', [['identifier', 'a\\|b\\,c']]))).toEqual(['token-2']);
    expect(ids(s.query('Patient', [['identifier', 'a\\|b,c']]))).toEqual([]);
  });
});
