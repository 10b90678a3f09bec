import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';

/**
 * `_summary` (issue 20 part 2) on read, vread and search, as FHIR R4 defines it: `true` keeps the
 * elements the R4 definitions mark isSummary, `text` the narrative with id, meta and mandatory
 * elements, `data` all but the narrative; each marked SUBSETTED. `count` stays the count.
 */
const SUBSETTED = 'SUBSETTED';
const tagged = (r: Record<string, unknown>) =>
  ((r.meta as { tag?: { code: string }[] }).tag ?? []).some((t) => t.code === SUBSETTED);

describe.each(ENGINES)('_summary on %s', (engine) => {
  let t: TestServer;
  let patientId: string;
  let obsId: string;

  beforeAll(async () => {
    t = await startTestServer(engine);
    const p = await t.request('POST', '/fhir/R4/Patient', {
      body: {
        resourceType: 'Patient',
        text: {
          status: 'generated',
          div: '<div xmlns="http://www.w3.org/1999/xhtml">Synthetic</div>',
        },
        name: [{ family: 'Summarytest', given: ['Synthetic'] }],
        gender: 'other',
        birthDate: '1970-01-01',
        maritalStatus: { text: 'unknown' },
        contact: [{ name: { family: 'Contactperson' } }],
      },
    });
    patientId = String(p.json().id);
    const o = await t.request('POST', '/fhir/R4/Observation', {
      body: {
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'Heart rate' },
        subject: { reference: `Patient/${patientId}` },
        valueQuantity: { value: 61, unit: '/min' },
        effectiveDateTime: '2030-01-01T10:00:00Z',
        note: [{ text: 'synthetic note' }],
        interpretation: [{ text: 'normal' }],
      },
    });
    obsId = String(o.json().id);
  });
  afterAll(async () => t.stop());

  const read = async (path: string) => {
    const res = await t.request('GET', path);
    expect(res.status).toBe(200);
    return res.json() as Record<string, unknown>;
  };

  it('_summary=true keeps the summary elements of the R4 definition, marked SUBSETTED', async () => {
    const full = await read(`/fhir/R4/Patient/${patientId}`);
    expect(tagged(full)).toBe(false);
    const p = await read(`/fhir/R4/Patient/${patientId}?_summary=true`);
    expect(Object.keys(p).sort()).toEqual(
      ['birthDate', 'gender', 'id', 'meta', 'name', 'resourceType'].sort(),
    );
    expect(tagged(p)).toBe(true);
    const o = await read(`/fhir/R4/Observation/${obsId}?_summary=true`);
    // Choice elements (value[x], effective[x]) are summary; note and interpretation are not.
    expect(o.valueQuantity).toEqual({ value: 61, unit: '/min' });
    expect(o.effectiveDateTime).toBe('2030-01-01T10:00:00Z');
    expect(o.note).toBeUndefined();
    expect(o.interpretation).toBeUndefined();
    const v = await read(`/fhir/R4/Observation/${obsId}/_history/1?_summary=true`);
    expect(v.note).toBeUndefined();
  });

  it('_summary=text, data and false', async () => {
    const text = await read(`/fhir/R4/Patient/${patientId}?_summary=text`);
    expect(Object.keys(text).sort()).toEqual(['id', 'meta', 'resourceType', 'text']);
    const obsText = await read(`/fhir/R4/Observation/${obsId}?_summary=text`);
    // Mandatory elements stay (Observation.status and code have min 1).
    expect(Object.keys(obsText).sort()).toEqual(['code', 'id', 'meta', 'resourceType', 'status']);
    const data = await read(`/fhir/R4/Patient/${patientId}?_summary=data`);
    expect(data.text).toBeUndefined();
    expect(data.contact).toBeDefined();
    expect(tagged(data)).toBe(true);
    const full = await read(`/fhir/R4/Patient/${patientId}`);
    expect(await read(`/fhir/R4/Patient/${patientId}?_summary=false`)).toEqual(full);
  });

  it('shapes search results, keeps _summary=count, refuses a bad value', async () => {
    const bundle = await read(`/fhir/R4/Patient?_id=${patientId}&_summary=true`);
    const entry = (bundle.entry as { resource: Record<string, unknown> }[])[0]!.resource;
    expect(entry.contact).toBeUndefined();
    expect(entry.name).toBeDefined();
    expect(tagged(entry)).toBe(true);
    const count = await read(`/fhir/R4/Observation?patient=${patientId}&_summary=count`);
    expect(count.total).toBe(1);
    expect((count.entry as unknown[] | undefined) ?? []).toEqual([]);
    for (const path of [
      `/fhir/R4/Patient/${patientId}?_summary=bogus`,
      `/fhir/R4/Patient?_id=${patientId}&_summary=maybe`,
      `/fhir/R4/Patient?_id=${patientId}&_summary=true&_elements=name`,
    ])
      expect((await t.request('GET', path)).status).toBe(400);
  });
});
