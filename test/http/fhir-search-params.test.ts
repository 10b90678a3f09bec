import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchRegistry } from '../../src/records/search/index.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestResponse, type TestServer } from '../support/haven-server.js';

/** Synthetic records (no real person); values chosen so none is a word a message would use. */
const patients = [
  {
    resourceType: 'Patient',
    id: 'sp-pat-1',
    meta: { tag: [{ system: 'urn:test:cohort', code: 'cohortq7' }] },
    address: [{ city: 'Qexton', postalCode: 'QX7 1AA' }],
  },
  {
    resourceType: 'Patient',
    id: 'sp-pat-2',
    address: [{ city: 'Wolvy', postalCode: 'WV3 9ZZ' }],
  },
];
const weight = (id: string, value: number, code = 'kg') => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
  subject: { reference: 'Patient/sp-pat-1' },
  valueQuantity: { value, unit: code, system: 'http://unitsofmeasure.org', code },
});
const observations = [
  weight('sp-obs-1', 61.2),
  weight('sp-obs-2', 88.4),
  weight('sp-obs-3', 61200, 'g'),
];

function ids(res: TestResponse): string[] {
  expect(res.status).toBe(200);
  const entries = (res.json() as { entry?: { resource: { id: string } }[] }).entry ?? [];
  return entries.map((e) => e.resource.id).sort();
}

describe.each(ENGINES)('standard search parameters over HTTP on %s', (engine) => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer(engine);
    for (const r of [...patients, ...observations]) {
      const res = await t.request('PUT', `/fhir/R4/${r.resourceType}/${r.id}`, { body: r });
      if (res.status !== 201) throw new Error(`fixture failed: ${res.status}`);
    }
  });
  afterAll(async () => t.stop());

  it.each([
    ['Observation?value-quantity=61.2', ['sp-obs-1']],
    ['Observation?value-quantity=gt60|http://unitsofmeasure.org|kg', ['sp-obs-1', 'sp-obs-2']],
    ['Observation?value-quantity=lt70||kg', ['sp-obs-1']],
    ['Observation?value-quantity=ge1000', ['sp-obs-3']],
    ['Observation?value-quantity=61.2|http://unitsofmeasure.org|g', []],
    ['Patient?address-postalcode=qx7', ['sp-pat-1']],
    ['Patient?address-city=wolv', ['sp-pat-2']],
    ['Patient?address=qexton', ['sp-pat-1']],
    ['Patient?_tag=urn:test:cohort|cohortq7', ['sp-pat-1']],
    ['Patient?_tag=cohortq7', ['sp-pat-1']],
    ['Patient?_tag:missing=true', ['sp-pat-2']],
  ])('GET %s', async (query, expected) => {
    expect(ids(await t.request('GET', `/fhir/R4/${query}`))).toEqual(expected);
  });

  it('sorts by a quantity', async () => {
    const res = await t.request('GET', '/fhir/R4/Observation?_sort=-value-quantity');
    const entries = (res.json() as { entry?: { resource: { id: string } }[] }).entry ?? [];
    expect(entries.map((e) => e.resource.id)).toEqual(['sp-obs-3', 'sp-obs-2', 'sp-obs-1']);
  });

  it.each([
    ['Observation', 'code-value-quantity', 'http://loinc.org|29463-7$gt61'],
    ['Patient', '_text', 'Qexton'],
    ['Patient', '_content', 'Qexton'],
    ['Patient', '_query', 'Qexton'],
    ['Patient', 'deceased', 'true'],
  ])('refuses %s?%s with 400 not-supported, echoing no value', async (type, name, value) => {
    const res = await t.request('GET', `/fhir/R4/${type}?${name}=${encodeURIComponent(value)}`);
    expect(res.status).toBe(400);
    const outcome = res.json();
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue?.[0]?.code).toBe('not-supported');
    expect(res.text).not.toContain('Qexton');
    expect(res.text).not.toContain('29463-7');
  });

  it('refuses a bad quantity value without echoing it', async () => {
    const res = await t.request('GET', '/fhir/R4/Observation?value-quantity=Qexton');
    expect(res.status).toBe(400);
    expect(res.json().issue?.[0]?.code).toBe('invalid');
    expect(res.text).not.toContain('Qexton');
  });

  it('lists every supported parameter per type in the CapabilityStatement', async () => {
    const res = await t.request('GET', '/fhir/R4/metadata', { token: null });
    const rest = (
      res.json().rest as {
        resource: { type: string; searchParam: { name: string; type: string }[] }[];
      }[]
    )[0]!;
    const registry = searchRegistry().supported;
    for (const type of ['Patient', 'Observation', 'Condition', 'Encounter']) {
      const listed = rest.resource.find((r) => r.type === type)!.searchParam;
      expect(listed.map((p) => p.name).sort()).toEqual(Object.keys(registry[type]!).sort());
      expect(listed.find((p) => p.name === 'value-quantity' || p.name === '_tag')).toBeDefined();
    }
    const observation = rest.resource.find((r) => r.type === 'Observation')!.searchParam;
    expect(observation.find((p) => p.name === 'value-quantity')).toEqual({
      name: 'value-quantity',
      type: 'quantity',
      definition: 'http://hl7.org/fhir/SearchParameter/Observation-value-quantity',
    });
    const types = rest.resource.map((r) => r.type);
    expect(new Set(types).size).toBe(types.length);
  });
});
