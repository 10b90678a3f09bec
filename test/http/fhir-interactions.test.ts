import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaryPatient } from '../support/canary.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';

/** Response bodies are walked freely here; the assertions are what check their shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;
const doc = (r: { json(): unknown }): Doc => r.json();

/**
 * The interactions an ordinary FHIR client expects beyond read/create/update/search (issue #20
 * part 1): DELETE as a tombstone, JSON Patch, conditional create (single and in a transaction),
 * and Patient compartment search — each on both engines, each with its concurrency case.
 */
describe.each(ENGINES)('FHIR interactions on %s', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine);
  });
  afterAll(async () => t.stop());

  const createPatient = async (n: number, extra: Record<string, unknown> = {}) => {
    const res = await t.request('POST', '/fhir/R4/Patient', {
      body: { ...canaryPatient(n), ...extra },
    });
    expect(res.status).toBe(201);
    return String(doc(res).id);
  };
  const vital = (patientId: string, value: number) => ({
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }], text: 'Heart rate' },
    subject: { reference: `Patient/${patientId}` },
    valueQuantity: { value, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
  });
  const auditActions = async (fromSeq: number) =>
    (await t.haven.auditRepo.entries(fromSeq, 100_000)).map((e) => `${e.action}:${e.outcome}`);

  describe('DELETE', () => {
    it('leaves a tombstone: the record reads as gone, leaves search, and keeps its history', async () => {
      const patientId = await createPatient(501);
      const obs = await t.request('POST', '/fhir/R4/Observation', { body: vital(patientId, 61) });
      const id = String(doc(obs).id);
      const seq = (await t.haven.auditRepo.head()).size;
      const del = await t.request('DELETE', `/fhir/R4/Observation/${id}`);
      expect(del.status).toBe(204);
      expect(del.headers.etag).toBe('W/"2"');
      expect(await auditActions(seq)).toContain('delete:success');
      expect((await t.request('GET', `/fhir/R4/Observation/${id}`)).status).toBe(410);
      const search = await t.request('GET', `/fhir/R4/Observation?patient=${patientId}`);
      expect(doc(search).total).toBe(0);
      const history = doc(await t.request('GET', `/fhir/R4/Observation/${id}/_history`));
      expect(history.entry.map((e: { request: { method: string } }) => e.request.method)).toEqual([
        'DELETE',
        'POST',
      ]);
      expect(history.entry[0].resource).toBeUndefined();
      const v1 = await t.request('GET', `/fhir/R4/Observation/${id}/_history/1`);
      expect(v1.status).toBe(200);
      expect(doc(v1).valueQuantity.value).toBe(61);
      // Deleting again changes nothing and succeeds; a record that never was is not found.
      expect((await t.request('DELETE', `/fhir/R4/Observation/${id}`)).status).toBe(204);
      expect(doc(await t.request('GET', `/fhir/R4/Observation/${id}/_history`)).total).toBe(2);
      expect((await t.request('DELETE', '/fhir/R4/Observation/never-was')).status).toBe(404);
      // An update after the delete brings it back as a new version.
      const back = await t.request('PUT', `/fhir/R4/Observation/${id}`, {
        body: { ...vital(patientId, 62), id },
      });
      expect(back.status).toBe(201);
      expect(back.headers.etag).toBe('W/"3"');
    });

    it('parallel deletes of one record write one tombstone', async () => {
      const patientId = await createPatient(502);
      const id = String(
        doc(await t.request('POST', '/fhir/R4/Observation', { body: vital(patientId, 70) })).id,
      );
      const results = await Promise.all(
        Array.from({ length: 10 }, () => t.request('DELETE', `/fhir/R4/Observation/${id}`)),
      );
      // Each answers 204 (done, or already done) or 409 (lost the race, retry): never a 5xx.
      expect(results.every((r) => r.status === 204 || r.status === 409)).toBe(true);
      const history = doc(await t.request('GET', `/fhir/R4/Observation/${id}/_history`));
      expect(history.total).toBe(2);
    });

    it('a token without the delete scope is refused and nothing changes', async () => {
      const patientId = await createPatient(503);
      const token = await t.newToken('system/Patient.cruds');
      const res = await t.request('DELETE', `/fhir/R4/Patient/${patientId}`, {
        token: await t.newToken('system/Patient.crus'),
      });
      expect(res.status).toBe(403);
      expect(doc(res).resourceType).toBe('OperationOutcome');
      expect((await t.request('GET', `/fhir/R4/Patient/${patientId}`, { token })).status).toBe(200);
    });
  });

  describe('PATCH (JSON Patch)', () => {
    const patch = (id: string, ops: unknown, headers: Record<string, string> = {}) =>
      t.request('PATCH', `/fhir/R4/Patient/${id}`, {
        raw: JSON.stringify(ops),
        headers: { 'content-type': 'application/json-patch+json', ...headers },
      });

    it('applies a patch as a new version, and refuses a failed test or a server-owned path', async () => {
      const id = await createPatient(511);
      const ok = await patch(id, [{ op: 'replace', path: '/gender', value: 'unknown' }]);
      expect(ok.status).toBe(200);
      expect(doc(ok)).toMatchObject({ id, gender: 'unknown', meta: { versionId: '2' } });
      const failedTest = await patch(id, [
        { op: 'test', path: '/gender', value: 'female' },
        { op: 'replace', path: '/gender', value: 'male' },
      ]);
      expect(failedTest.status).toBe(422);
      const idChange = await patch(id, [{ op: 'replace', path: '/id', value: 'other' }]);
      expect(idChange.status).toBe(422);
      const notAPatch = await patch(id, { op: 'replace' });
      expect(notAPatch.status).toBe(400);
      const now = doc(await t.request('GET', `/fhir/R4/Patient/${id}`));
      expect(now).toMatchObject({ gender: 'unknown', meta: { versionId: '2' } });
    });

    it('parallel patches on one version: exactly one wins with If-Match', async () => {
      const id = await createPatient(512);
      const results = await Promise.all(
        ['male', 'female', 'other', 'unknown', 'male', 'female'].map((g) =>
          patch(id, [{ op: 'replace', path: '/gender', value: g }], { 'if-match': 'W/"1"' }),
        ),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.every((r) => r.status === 200 || r.status === 412)).toBe(true);
      const history = doc(await t.request('GET', `/fhir/R4/Patient/${id}/_history`));
      expect(history.total).toBe(2);
    });

    it('needs the read scope as well as update', async () => {
      const id = await createPatient(513);
      const writeOnly = await t.newToken('system/Patient.u');
      const res = await t.request('PATCH', `/fhir/R4/Patient/${id}`, {
        token: writeOnly,
        raw: JSON.stringify([{ op: 'test', path: '/gender', value: 'other' }]),
        headers: { 'content-type': 'application/json-patch+json' },
      });
      expect(res.status).toBe(403);
    });
  });

  describe('conditional create (If-None-Exist)', () => {
    const mrn = (n: number) => ({
      system: 'urn:example:conditional-mrn',
      value: `COND-${n}-${engine}`,
    });
    const conditional = (n: number) =>
      t.request('POST', '/fhir/R4/Patient', {
        body: { ...canaryPatient(n), identifier: [mrn(n)] },
        headers: { 'if-none-exist': `identifier=${mrn(n).system}|${mrn(n).value}` },
      });

    it('a retried create finds the first one instead of making a second patient', async () => {
      const first = await conditional(521);
      expect(first.status).toBe(201);
      const retry = await conditional(521);
      expect(retry.status).toBe(200);
      expect(doc(retry).id).toBe(doc(first).id);
      const found = await t.request(
        'GET',
        `/fhir/R4/Patient?identifier=${mrn(521).system}|${mrn(521).value}`,
      );
      expect(doc(found).total).toBe(1);
    });

    it('parallel retries of one conditional create make exactly one patient', async () => {
      const results = await Promise.all(Array.from({ length: 12 }, () => conditional(522)));
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      expect(new Set(results.map((r) => doc(r).id)).size).toBe(1);
    });

    it('criteria matching several records answer 412 and create nothing', async () => {
      const family = `Condtwin${engine}`;
      await createPatient(523, { name: [{ family, given: ['Ann'] }] });
      await createPatient(524, { name: [{ family, given: ['Bea'] }] });
      const res = await t.request('POST', '/fhir/R4/Patient', {
        body: { ...canaryPatient(525), name: [{ family, given: ['Cy'] }] },
        headers: { 'if-none-exist': `family=${family}` },
      });
      expect(res.status).toBe(412);
      expect(doc(res).issue[0].code).toBe('multiple-matches');
      const all = await t.request('GET', `/fhir/R4/Patient?family=${family}`);
      expect(doc(all).total).toBe(2);
    });

    it('refuses empty or result-only criteria', async () => {
      for (const criteria of ['', '_count=1']) {
        const res = await t.request('POST', '/fhir/R4/Patient', {
          body: canaryPatient(526),
          headers: { 'if-none-exist': criteria },
        });
        expect(res.status).toBe(400);
      }
    });

    it('in a transaction, a retried import links to the patient it already made', async () => {
      const bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            fullUrl: 'urn:uuid:11111111-2222-4333-8444-555555555555',
            resource: { ...canaryPatient(527), identifier: [mrn(527)] },
            request: {
              method: 'POST',
              url: 'Patient',
              ifNoneExist: `identifier=${mrn(527).system}|${mrn(527).value}`,
            },
          },
          {
            resource: {
              ...vital('placeholder', 80),
              subject: { reference: 'urn:uuid:11111111-2222-4333-8444-555555555555' },
            },
            request: { method: 'POST', url: 'Observation' },
          },
        ],
      };
      const first = await t.request('POST', '/fhir/R4', { body: bundle });
      expect(first.status).toBe(200);
      expect(doc(first).entry[0].response.status).toBe('201 Created');
      const second = await t.request('POST', '/fhir/R4', { body: bundle });
      expect(doc(second).entry[0].response.status).toBe('200 OK');
      const patientLoc = (r: typeof first) =>
        String(doc(r).entry[0].response.location).split('/_history')[0]!;
      expect(patientLoc(second)).toBe(patientLoc(first));
      const patientId = patientLoc(first).split('/')[1]!;
      const obs = await t.request('GET', `/fhir/R4/Observation?patient=${patientId}`);
      // Both imports' observations hang on the one patient.
      expect(doc(obs).total).toBe(2);
    });
  });

  describe('Patient compartment search', () => {
    it('Patient/{id}/Observation is Observation?patient={id}; Patient/{id}/* is the whole record', async () => {
      const a = await createPatient(531);
      const b = await createPatient(532);
      for (const [p, v] of [
        [a, 60],
        [a, 65],
        [b, 90],
      ] as const)
        await t.request('POST', '/fhir/R4/Observation', { body: vital(p, v) });
      const compartment = await t.request(
        'GET',
        `/fhir/R4/Patient/${a}/Observation?_sort=value-quantity`,
      );
      expect(compartment.status).toBe(200);
      const values = doc(compartment).entry.map(
        (e: { resource: { valueQuantity: { value: number } } }) => e.resource.valueQuantity.value,
      );
      expect(values).toEqual([60, 65]);
      const self = await t.request('GET', `/fhir/R4/Patient/${a}/Patient`);
      expect(doc(self).entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([a]);
      const everything = doc(await t.request('GET', `/fhir/R4/Patient/${a}/*`));
      const types = everything.entry.map(
        (e: { resource: { resourceType: string } }) => e.resource.resourceType,
      );
      expect(types.filter((x: string) => x === 'Observation')).toHaveLength(2);
      expect(types).toContain('Patient');
      // A type outside the patient compartment is refused, not answered with all of it.
      expect((await t.request('GET', `/fhir/R4/Patient/${a}/Practitioner`)).status).toBe(400);
      // The compartment route still serves the patient's history.
      const history = await t.request('GET', `/fhir/R4/Patient/${a}/_history`);
      expect(doc(history).type).toBe('history');
    });

    it('a token scoped to one type gets only that type through the compartment', async () => {
      const a = await createPatient(533);
      const token = await t.newToken('system/Patient.rs');
      const res = await t.request('GET', `/fhir/R4/Patient/${a}/Observation`, { token });
      expect(res.status).toBe(403);
    });
  });

  describe('batch', () => {
    it('answers each entry on its own: one refusal does not stop the others', async () => {
      const a = await createPatient(541);
      const bundle = {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { request: { method: 'GET', url: `Patient/${a}` } },
          { resource: vital(a, 77), request: { method: 'POST', url: 'Observation' } },
          { request: { method: 'GET', url: 'Patient/never-was' } },
          {
            resource: { resourceType: 'Observation' },
            request: { method: 'POST', url: 'Observation' },
          },
          { request: { method: 'GET', url: `Observation?patient=${a}` } },
          { request: { method: 'PATCH', url: `Patient/${a}` } },
        ],
      };
      const res = await t.request('POST', '/fhir/R4', { body: bundle });
      expect(res.status).toBe(200);
      const out = doc(res);
      expect(out.type).toBe('batch-response');
      expect(out.entry.map((e: Doc) => e.response.status.split(' ')[0])).toEqual([
        '200',
        '201',
        '404',
        '400',
        '200',
        '400',
      ]);
      expect(out.entry[0].resource.id).toBe(a);
      expect(out.entry[2].response.outcome.resourceType).toBe('OperationOutcome');
      expect(out.entry[4].resource.total).toBe(1);
    });

    it('records every refused entry in the audit trail, though the batch answers 200', async () => {
      const a = await createPatient(544);
      const from = (await t.haven.auditRepo.head()).size;
      const res = await t.request('POST', '/fhir/R4', {
        body: {
          resourceType: 'Bundle',
          type: 'batch',
          entry: [
            { request: { method: 'GET', url: `Patient/${a}` } },
            {
              resource: { resourceType: 'Observation' },
              request: { method: 'POST', url: 'Observation' },
            },
            { request: { method: 'PATCH', url: `Patient/${a}` } },
            { request: { method: 'GET', url: 'Patient/never-was' } },
          ],
        },
      });
      expect(res.status).toBe(200);
      const refused = (await t.haven.auditRepo.entries(from, 100_000)).filter(
        (e) => e.action === 'request-refused',
      );
      expect(refused.map((e) => JSON.parse(e.detail ?? '{}').entry)).toEqual([1, 2, 3]);
      expect(refused.map((e) => e.outcome)).toEqual(['failure', 'failure', 'failure']);
      // PHI-free: neither the entry's url nor its body is kept.
      for (const e of refused) expect(e.detail).not.toContain(a);
    });

    it('a batch entry is decided as the same request alone: a read-only token cannot write', async () => {
      const a = await createPatient(542);
      const token = await t.newToken('system/Observation.rs system/Patient.rs');
      const res = await t.request('POST', '/fhir/R4', {
        token,
        body: {
          resourceType: 'Bundle',
          type: 'batch',
          entry: [
            { resource: vital(a, 88), request: { method: 'POST', url: 'Observation' } },
            { request: { method: 'GET', url: `Observation?patient=${a}` } },
          ],
        },
      });
      const out = doc(res);
      expect(out.entry[0].response.status).toMatch(/^403/);
      expect(out.entry[1].resource.total).toBe(0);
    });

    it('fails closed when the audit trail cannot be written', async () => {
      const a = await createPatient(543);
      const db = t.haven.database.db;
      await sql
        .raw(
          engine === 'sqlite'
            ? `CREATE TRIGGER batch_block BEFORE INSERT ON audit_entries BEGIN SELECT RAISE(ABORT, 'disk full'); END`
            : `CREATE TRIGGER batch_block BEFORE INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION haven_append_only()`,
        )
        .execute(db);
      try {
        const res = await t.request('POST', '/fhir/R4', {
          body: {
            resourceType: 'Bundle',
            type: 'batch',
            entry: [{ request: { method: 'GET', url: `Patient/${a}` } }],
          },
        });
        expect(res.status).toBe(503);
        expect(res.text).not.toContain(String(canaryPatient(543).birthDate));
      } finally {
        await sql
          .raw(
            engine === 'sqlite'
              ? 'DROP TRIGGER batch_block'
              : 'DROP TRIGGER batch_block ON audit_entries',
          )
          .execute(db);
      }
    });
  });

  describe('search depth', () => {
    it('a refused chain repeats nothing the client sent, and an unknown type is refused first', async () => {
      const canaryType = 'CANARY-MRN-91';
      const unknown = await t.request(
        'GET',
        `/fhir/R4/${canaryType}?subject:Patient.name=Canaryname`,
      );
      expect(unknown.status).toBe(404);
      expect(unknown.text).not.toContain('CANARY');
      expect(unknown.text).not.toContain('Canaryname');
      const notReference = await t.request('GET', '/fhir/R4/Observation?canaryparam.name=x');
      expect(notReference.status).toBe(400);
      expect(notReference.text).not.toContain('canaryparam');
      // A token that may not search the outer type runs no inner search either.
      const token = await t.newToken('system/Patient.rs');
      const from = (await t.haven.auditRepo.head()).size;
      const refused = await t.request('GET', '/fhir/R4/Observation?subject:Patient.name=Any', {
        token,
      });
      expect(refused.status).toBe(403);
      const innerSearches = async (since: number) =>
        (await t.haven.auditRepo.entries(since, 100_000)).filter(
          (e) => e.action === 'search' && e.resource_type === 'Patient',
        );
      expect(await innerSearches(from)).toEqual([]);
      // With the outer type in scope the inner search runs, audited like any search.
      const both = await t.newToken('system/Patient.rs system/Observation.rs');
      const allowed = await t.request('GET', '/fhir/R4/Observation?subject:Patient.name=Any', {
        token: both,
      });
      expect(allowed.status).toBe(200);
      expect((await innerSearches(from)).length).toBeGreaterThan(0);
    });

    it('_include, _revinclude, a chained identifier and _elements', async () => {
      const system = `urn:example:depth-${engine}`;
      const a = await createPatient(551, { identifier: [{ system, value: 'DEPTH-A' }] });
      const b = await createPatient(552, { identifier: [{ system, value: 'DEPTH-B' }] });
      await t.request('POST', '/fhir/R4/Observation', { body: vital(a, 71) });
      await t.request('POST', '/fhir/R4/Observation', { body: vital(b, 72) });
      const chained = doc(
        await t.request(
          'GET',
          `/fhir/R4/Observation?subject:Patient.identifier=${system}|DEPTH-A&_include=Observation:subject`,
        ),
      );
      const byMode = (bundle: Doc, mode: string) =>
        bundle.entry
          .filter((e: Doc) => e.search.mode === mode)
          .map((e: Doc) => `${e.resource.resourceType}/${e.resource.id}`);
      expect(chained.total).toBe(1);
      expect(byMode(chained, 'match')).toHaveLength(1);
      expect(byMode(chained, 'include')).toEqual([`Patient/${a}`]);
      const rev = doc(
        await t.request('GET', `/fhir/R4/Patient?_id=${b}&_revinclude=Observation:subject`),
      );
      expect(byMode(rev, 'match')).toEqual([`Patient/${b}`]);
      expect(byMode(rev, 'include')).toHaveLength(1);
      const none = doc(
        await t.request('GET', `/fhir/R4/Observation?subject:Patient.identifier=${system}|NOBODY`),
      );
      expect(none.total).toBe(0);
      const slim = doc(await t.request('GET', `/fhir/R4/Patient?_id=${a}&_elements=gender`));
      const r = slim.entry[0].resource;
      expect(Object.keys(r).sort()).toEqual(['gender', 'id', 'meta', 'resourceType']);
      expect(r.meta.tag.map((x: Doc) => x.code)).toContain('SUBSETTED');
      expect(
        (await t.request('GET', '/fhir/R4/Observation?_include=Observation:code')).status,
      ).toBe(400);
    });

    it('an include reaches only what the caller may read', async () => {
      const a = await createPatient(553);
      await t.request('POST', '/fhir/R4/Observation', { body: vital(a, 73) });
      const token = await t.newToken('system/Observation.rs');
      const res = doc(
        await t.request('GET', `/fhir/R4/Observation?patient=${a}&_include=Observation:subject`, {
          token,
        }),
      );
      expect(res.entry.filter((e: Doc) => e.search.mode === 'include')).toHaveLength(0);
      expect(res.entry.filter((e: Doc) => e.search.mode === 'match')).toHaveLength(1);
    });
  });

  it('the CapabilityStatement says what is offered', async () => {
    const cs = doc(await t.request('GET', '/fhir/R4/metadata'));
    const patient = cs.rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
    expect(patient.conditionalCreate).toBe(true);
    const codes = patient.interaction.map((i: { code: string }) => i.code);
    expect(codes).toEqual(expect.arrayContaining(['delete', 'patch', 'create', 'search-type']));
  });
});
