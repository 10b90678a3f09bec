import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredRoutes } from '../../src/http/index.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';

/**
 * The CapabilityStatement tells the truth (issue 20 part 6): every interaction it lists has a
 * registered route that answers it, every FHIR route the server registers is listed, and every
 * search parameter it lists is accepted by the search itself (none answers "unknown").
 */
interface CsResource {
  type: string;
  interaction: { code: string }[];
  searchParam?: { name: string; type: string; documentation?: string }[];
  operation?: { name: string }[];
  conditionalCreate?: boolean;
  conditionalUpdate?: boolean;
  conditionalDelete?: string;
}

/** Interaction code → the route (under /fhir/R4) that serves it. */
const ROUTE_OF: Record<string, string> = {
  read: 'GET /:type/:id',
  vread: 'GET /:type/:id/_history/:vid',
  update: 'PUT /:type/:id',
  patch: 'PATCH /:type/:id',
  delete: 'DELETE /:type/:id',
  'history-instance': 'GET /:type/:id/_history',
  create: 'POST /:type',
  'search-type': 'GET /:type',
};
/** Routes that serve what the statement lists outside per-type interactions. */
const SYSTEM_ROUTES: Record<string, string> = {
  'GET /metadata': 'the CapabilityStatement itself',
  'POST /': 'transaction and batch (rest.interaction)',
  'POST /:type/_search': 'search-type by POST',
  'GET /Patient/:id/$everything': 'Patient operation everything',
  'POST /Patient/:id/$everything': 'Patient operation everything, input as Parameters',
  'GET /Patient/:id/:type': 'Patient compartment (resource.compartment)',
  'PUT /:type': 'conditionalUpdate',
  'DELETE /:type': 'conditionalDelete',
  'GET /$export': 'Bulk Data system export (rest.operation export)',
  'GET /Patient/$export': 'Bulk Data Patient export (Patient operation export)',
  'GET /Group/:id/$export': 'Bulk Data Group export (Group operation export)',
  'GET /$export-status/:id': 'the status URL a Bulk Data kick-off answers with',
  'DELETE /$export-status/:id': 'cancelling a Bulk Data export',
  'GET /$export-file/:id/:file': 'the files a Bulk Data manifest lists',
  // SMART App Launch (ADR 0035): discovery, and CORS preflight for registered apps (rest.security).
  'GET /.well-known/smart-configuration': 'SMART discovery (rest.security oauth-uris)',
  'OPTIONS /*': 'CORS preflight for registered SMART apps (rest.security.cors)',
};

describe('the CapabilityStatement against the server', () => {
  let t: TestServer;
  let cs: {
    instantiates?: string[];
    rest: {
      resource: CsResource[];
      interaction: { code: string }[];
      operation?: { name: string; definition: string }[];
    }[];
  };
  beforeAll(async () => {
    t = await startTestServer('sqlite');
    cs = (await t.request('GET', '/fhir/R4/metadata')).json() as typeof cs;
  });
  afterAll(async () => t.stop());

  const fhirRoutes = () =>
    new Set(
      declaredRoutes
        .filter((r) => r.url.startsWith('/fhir/R4'))
        .map((r) => `${r.method} ${r.url.slice('/fhir/R4'.length) || '/'}`),
    );

  it('every listed interaction has its route, and every FHIR route is listed', () => {
    const routes = fhirRoutes();
    const used = new Set<string>();
    for (const r of cs.rest[0]!.resource) {
      for (const { code } of r.interaction) {
        // A type with routes of its own (AuditEvent) is served there, the others by `:type`.
        const generic = ROUTE_OF[code] ?? '';
        const route = [generic.replace(':type', r.type), generic].find((x) => routes.has(x));
        expect([r.type, code, route !== undefined]).toEqual([r.type, code, true]);
        used.add(route!);
      }
    }
    expect(cs.rest[0]!.interaction.map((i) => i.code).sort()).toEqual(['batch', 'transaction']);
    for (const route of Object.keys(SYSTEM_ROUTES)) used.add(route);
    expect([...routes].filter((r) => !used.has(r))).toEqual([]);
    expect([...used].filter((r) => !routes.has(r))).toEqual([]);
  });

  it('lists $export where it is served: system, Patient and Group (Bulk Data IG)', () => {
    const routes = fhirRoutes();
    expect(cs.instantiates).toEqual([
      'http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data',
    ]);
    expect(cs.rest[0]!.operation?.map((o) => o.name)).toEqual(['export']);
    expect(routes.has('GET /$export')).toBe(true);
    const ops = (type: string) =>
      cs.rest[0]!.resource.find((r) => r.type === type)?.operation?.map((o) => o.name) ?? [];
    expect(ops('Patient')).toEqual(['everything', 'export']);
    expect(routes.has('GET /Patient/$export')).toBe(true);
    expect(ops('Group')).toEqual(['export']);
    expect(routes.has('GET /Group/:id/$export')).toBe(true);
  });

  it('every listed search parameter is accepted by the search', async () => {
    let checked = 0;
    const auditor = await t.newToken('system/AuditEvent.rs');
    const AUDIT_SAMPLE: Record<string, string> = {
      patient: 'Patient/cs-none',
      agent: 'cs-none',
      date: 'ge2020-01-01',
      subtype: 'read',
      outcome: '0',
    };
    for (const r of cs.rest[0]!.resource) {
      if (r.type === 'AuditEvent') {
        // The trail's own search takes plain values (src/audit/audit-query.ts), not :missing.
        for (const p of r.searchParam ?? []) {
          const res = await t.request(
            'GET',
            `/fhir/R4/AuditEvent?${p.name}=${encodeURIComponent(AUDIT_SAMPLE[p.name] ?? '')}`,
            { token: auditor },
          );
          expect([r.type, p.name, res.status]).toEqual([r.type, p.name, 200]);
        }
        continue;
      }
      for (const p of r.searchParam ?? []) {
        // `:missing` is defined for every kind of parameter and needs no value of its type.
        const res = await t.request('GET', `/fhir/R4/${r.type}?${p.name}:missing=true&_count=1`);
        expect([r.type, p.name, res.status]).toEqual([r.type, p.name, 200]);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(300);
  }, 240_000);

  it('says which modifiers each parameter takes and which encryption rules out, and the search agrees', async () => {
    const patient = cs.rest[0]!.resource.find((r) => r.type === 'Patient')!;
    const notes = (cs.rest[0] as unknown as { documentation: string }).documentation.split('\n');
    const doc = (name: string) => {
      const kind = patient.searchParam!.find((p) => p.name === name)!.type;
      return notes.find((n) => n.startsWith(`Search parameters of type ${kind}:`))!;
    };
    for (const p of patient.searchParam!) expect(doc(p.name), p.name).toMatch(/Modifiers: /);
    // Every modifier the statement offers is accepted; the ones it rules out are refused.
    const cases: Array<[string, string, boolean]> = [
      ['name', 'exact', true],
      ['name', 'missing', true],
      ['name', 'contains', false],
      ['gender', 'not', true],
      ['identifier', 'text', false],
      ['gender', 'in', false],
    ];
    for (const [name, modifier, offered] of cases) {
      const listed = /Modifiers: ([^.]*)\./.exec(doc(name))![1]!.split(', ');
      expect(listed.includes(`:${modifier}`)).toBe(offered);
      const value = modifier === 'missing' ? 'false' : 'male';
      const res = await t.request('GET', `/fhir/R4/Patient?${name}:${modifier}=${value}`);
      expect([name, modifier, res.status]).toEqual([name, modifier, offered ? 200 : 400]);
    }
    expect(doc('name')).toMatch(/:contains and :text are not offered/);
  });

  it('a parameter it does not list is refused, not ignored', async () => {
    const res = await t.request('GET', '/fhir/R4/Patient?no-such-parameter=1');
    expect(res.status).toBe(400);
  });

  it('says conditional create is offered, and it is', async () => {
    const patient = cs.rest[0]!.resource.find((r) => r.type === 'Patient')!;
    expect(patient.conditionalCreate).toBe(true);
    const body = {
      resourceType: 'Patient',
      identifier: [{ system: 'urn:example:cs', value: 'CS-1' }],
    };
    const headers = { 'if-none-exist': 'identifier=urn:example:cs|CS-1' };
    expect((await t.request('POST', '/fhir/R4/Patient', { body, headers })).status).toBe(201);
    expect((await t.request('POST', '/fhir/R4/Patient', { body, headers })).status).toBe(200);
  });

  it('says conditional update and single conditional delete are offered, and they are', async () => {
    const patient = cs.rest[0]!.resource.find((r) => r.type === 'Patient')!;
    expect(patient.conditionalUpdate).toBe(true);
    expect(patient.conditionalDelete).toBe('single');
    const criteria = 'identifier=urn:example:cs|CS-2';
    const body = {
      resourceType: 'Patient',
      identifier: [{ system: 'urn:example:cs', value: 'CS-2' }],
    };
    expect((await t.request('PUT', `/fhir/R4/Patient?${criteria}`, { body })).status).toBe(201);
    expect((await t.request('PUT', `/fhir/R4/Patient?${criteria}`, { body })).status).toBe(200);
    expect((await t.request('DELETE', `/fhir/R4/Patient?${criteria}`)).status).toBe(204);
    const left = await t.request('GET', `/fhir/R4/Patient?${criteria}`);
    expect((left.json() as { total: number }).total).toBe(0);
  });
});
