import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { readBundle, syntheaFiles, type BundleEntry } from '../support/synthea.js';

/**
 * Haven must take every Synthea bundle in whole and give every resource back unchanged: the same
 * JSON, except that urn:uuid references now point at the server's ids and meta carries the
 * server's versionId and lastUpdated.
 */
describe.each(ENGINES)('Synthea bundles round-trip on %s', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, { env: { HAVEN_LOG_LEVEL: 'warn' } });
  });
  afterAll(async () => t.stop());

  it(
    'imports all 30 bundles as transactions and returns every resource unchanged',
    { timeout: 240_000 },
    async () => {
      let compared = 0;
      for (const file of syntheaFiles()) {
        const bundle = readBundle(file);
        const res = await t.request('POST', '/fhir/R4', { body: bundle });
        expect(res.status, file).toBe(200);
        const response = res.json() as {
          entry: { response: { status: string; location: string } }[];
        };
        expect(response.entry.length).toBe(bundle.entry.length);
        const idMap = new Map<string, string>();
        bundle.entry.forEach((e, i) => {
          const [type, id] = response.entry[i]!.response.location.split('/');
          expect(type).toBe(e.resource.resourceType);
          idMap.set(e.fullUrl, `${type}/${id}`);
        });
        // Every resource read back, through one batch of reads per bundle (each entry decided
        // and audited as the same read alone).
        const reads = await t.request('POST', '/fhir/R4', {
          body: {
            resourceType: 'Bundle',
            type: 'batch',
            entry: bundle.entry.map((e) => ({
              request: { method: 'GET', url: idMap.get(e.fullUrl)! },
            })),
          },
        });
        expect(reads.status, file).toBe(200);
        const back = (reads.json() as { entry: { resource: Record<string, unknown> }[] }).entry;
        for (const [i, e] of bundle.entry.entries()) {
          const got = back[i]!.resource as Record<string, unknown> & { meta?: unknown };
          const location = idMap.get(e.fullUrl)!;
          expect(got.meta).toMatchObject({ versionId: '1' });
          expect(stripServerMeta(got as never)).toEqual(expected(e, location, idMap));
          compared++;
        }
      }
      // Every entry of all 30 bundles, counted from the files rather than written down.
      const total = syntheaFiles().reduce((n, f) => n + readBundle(f).entry.length, 0);
      expect(compared).toBe(total);
    },
  );

  it('finds imported patients by identifier and accented names', async () => {
    const file = syntheaFiles().find((f) => /Mej/.test(f))!;
    const patient = readBundle(file).entry.find((e) => e.resource.resourceType === 'Patient')!
      .resource as unknown as {
      identifier: { system: string; value: string }[];
      name: { family: string }[];
    };
    const mrn = patient.identifier.find((i) => i.system === 'http://hospital.smarthealthit.org')!;
    const byId = (
      await t.request(
        'GET',
        `/fhir/R4/Patient?identifier=${encodeURIComponent(`${mrn.system}|${mrn.value}`)}`,
      )
    ).json();
    expect(byId.total).toBe(1);
    const unaccented = patient.name[0]!.family.normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toUpperCase();
    expect(unaccented).not.toBe(patient.name[0]!.family);
    const byName = (
      await t.request('GET', `/fhir/R4/Patient?family=${encodeURIComponent(unaccented)}`)
    ).json();
    expect(byName.total).toBeGreaterThanOrEqual(1);
  });
});

function stripServerMeta(r: Record<string, unknown>): Record<string, unknown> {
  const { meta, id: _id, ...rest } = r as { meta?: Record<string, unknown>; id: string };
  const { versionId: _v, lastUpdated: _l, ...otherMeta } = meta ?? {};
  return Object.keys(otherMeta).length > 0 ? { ...rest, meta: otherMeta } : rest;
}

function expected(
  e: BundleEntry,
  _location: string,
  idMap: Map<string, string>,
): Record<string, unknown> {
  const rewritten = JSON.parse(JSON.stringify(e.resource), (k, v: unknown) =>
    k === 'reference' && typeof v === 'string' && idMap.has(v) ? idMap.get(v) : v,
  ) as Record<string, unknown>;
  return stripServerMeta(rewritten);
}
