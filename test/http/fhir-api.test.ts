import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaryPatient, canarySecrets } from '../support/canary.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';

describe.each(ENGINES)('FHIR R4 API on %s', (engine) => {
  let t: TestServer;
  let patientId: string;

  beforeAll(async () => {
    t = await startTestServer(engine);
  });
  afterAll(async () => t.stop());

  it('creates a Patient with server-assigned id, version 1, Location and ETag', async () => {
    const res = await t.request('POST', '/fhir/R4/Patient', {
      body: { ...canaryPatient(1), id: 'client-chosen' },
    });
    expect(res.status).toBe(201);
    const body = res.json();
    patientId = String(body.id);
    expect(patientId).not.toBe('client-chosen');
    expect(body.meta).toMatchObject({ versionId: '1' });
    expect(res.headers.etag).toBe('W/"1"');
    expect(res.headers.location).toMatch(new RegExp(`/fhir/R4/Patient/${patientId}/_history/1$`));
  });

  it('reads it back byte-for-byte as created', async () => {
    const res = await t.request('GET', `/fhir/R4/Patient/${patientId}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/fhir+json');
    expect(res.json()).toMatchObject({
      resourceType: 'Patient',
      id: patientId,
      birthDate: canaryPatient(1).birthDate,
    });
  });

  it('updates with If-Match, refuses a stale If-Match with 412, and keeps every version', async () => {
    const current = (await t.request('GET', `/fhir/R4/Patient/${patientId}`)).json();
    const updated = { ...current, gender: 'unknown' };
    const ok = await t.request('PUT', `/fhir/R4/Patient/${patientId}`, {
      body: updated,
      headers: { 'if-match': 'W/"1"' },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).toBe('W/"2"');
    const stale = await t.request('PUT', `/fhir/R4/Patient/${patientId}`, {
      body: updated,
      headers: { 'if-match': 'W/"1"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.json().resourceType).toBe('OperationOutcome');
    const v1 = await t.request('GET', `/fhir/R4/Patient/${patientId}/_history/1`);
    expect(v1.json().gender).toBe('other');
    const history = (await t.request('GET', `/fhir/R4/Patient/${patientId}/_history`)).json();
    expect(history.type).toBe('history');
    expect(
      (history.entry as { resource: { meta: { versionId: string } } }[]).map(
        (e) => e.resource.meta.versionId,
      ),
    ).toEqual(['2', '1']);
  });

  it('leaves an audit entry for a history read, naming the resource, patient and request', async () => {
    const from = (await t.haven.auditRepo.head()).size;
    const res = await t.request('GET', `/fhir/R4/Patient/${patientId}/_history`);
    expect(res.status).toBe(200);
    const rows = (await t.haven.auditRepo.entries(from, 1000)).filter(
      (r) => r.action === 'history',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      outcome: 'success',
      resource_type: 'Patient',
      resource_id: patientId,
      patient_id: patientId,
      request_id: res.headers['x-request-id'],
    });
    expect(JSON.parse(rows[0]!.detail!)).toMatchObject({ versions: 2 });
  });

  it('creates clinical resources in the patient compartment and searches them', async () => {
    const obs = (date: string, code: string) => ({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code }] },
      subject: { reference: `Patient/${patientId}` },
      effectiveDateTime: date,
      valueQuantity: { value: 72.5, unit: 'kg' },
    });
    for (const [d, c] of [
      ['2020-01-05T10:00:00Z', '29463-7'],
      ['2021-06-01T10:00:00Z', '29463-7'],
      ['2022-03-01T10:00:00Z', '8302-2'],
    ] as const) {
      expect((await t.request('POST', '/fhir/R4/Observation', { body: obs(d, c) })).status).toBe(
        201,
      );
    }
    const byPatient = (
      await t.request('GET', `/fhir/R4/Observation?patient=${patientId}&_sort=-date`)
    ).json();
    expect(byPatient.total).toBe(3);
    const dates = (byPatient.entry as { resource: { effectiveDateTime: string } }[]).map(
      (e) => e.resource.effectiveDateTime,
    );
    expect(dates).toEqual([...dates].sort().reverse());
    const byCodeAndDate = (
      await t.request(
        'GET',
        `/fhir/R4/Observation?subject=Patient/${patientId}&code=http://loinc.org|29463-7&date=ge2021`,
      )
    ).json();
    expect(byCodeAndDate.total).toBe(1);
  });

  it('refuses an Observation whose subject does not exist', async () => {
    const res = await t.request('POST', '/fhir/R4/Observation', {
      body: {
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'x' },
        subject: { reference: 'Patient/does-not-exist' },
      },
    });
    expect(res.status).toBe(400);
  });

  it('searches patients by name prefix, accent/case-insensitively, by identifier, birthdate, phone and email', async () => {
    const q = async (query: string) =>
      (await t.request('GET', `/fhir/R4/Patient?${query}`)).json().total;
    expect(await q('family=canaryw')).toBe(1);
    expect(await q('name=ZEBEDEE1')).toBe(1);
    expect(await q('family:exact=canarywing1')).toBe(0);
    expect(await q('family:exact=Canarywing1')).toBe(1);
    expect(await q('identifier=http://hospital.example/mrn|CANARY-MRN-1')).toBe(1);
    expect(await q('identifier=CANARY-MRN-1')).toBe(1);
    expect(await q('identifier=http://other|CANARY-MRN-1')).toBe(0);
    expect(await q(`birthdate=${String(canaryPatient(1).birthDate)}`)).toBe(1);
    expect(await q('birthdate=lt1900')).toBe(0);
    expect(await q('phone=555-0199-001')).toBe(1);
    expect(await q('email=canary1@example.invalid')).toBe(1);
  });

  it('searches by _id and _lastUpdated from the plaintext columns, with FHIR semantics', async () => {
    const q = async (query: string) =>
      (await t.request('GET', `/fhir/R4/Patient?${query}`)).json().total;
    expect(await q(`_id=${patientId}`)).toBe(1);
    expect(await q(`_id=${patientId},not-an-id`)).toBe(1);
    expect(await q('_id=not-an-id')).toBe(0);
    const lastUpdated = String(
      (
        (await t.request('GET', `/fhir/R4/Patient/${patientId}`)).json().meta as {
          lastUpdated: string;
        }
      ).lastUpdated,
    );
    expect(await q(`_id=${patientId}&_lastUpdated=${lastUpdated}`)).toBe(1);
    expect(await q(`_id=${patientId}&_lastUpdated=gt${lastUpdated}`)).toBe(0);
    expect(await q(`_id=${patientId}&_lastUpdated=le${lastUpdated}`)).toBe(1);
    expect(await q(`_lastUpdated=lt2000-01-01`)).toBe(0);
    expect(await q(`_lastUpdated=ge2000-01-01&family=canarywing1`)).toBe(1);
  });

  it('pages with opaque cursors that carry no search values', async () => {
    for (let n = 2; n <= 5; n++)
      await t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(n) });
    const first = (await t.request('GET', '/fhir/R4/Patient?given=quill&_count=2')).json();
    expect(first.total).toBe(5);
    const links = first.link as { relation: string; url: string }[];
    const next = links.find((l) => l.relation === 'next')!;
    expect(next).toBeDefined();
    expect(next.url).not.toMatch(/quill/i);
    const second = (
      await t.request('GET', new URL(next.url).pathname + new URL(next.url).search)
    ).json();
    expect((second.entry as unknown[]).length).toBe(2);
    const ids = (b: Record<string, unknown>) =>
      (b.entry as { resource: { id: string } }[]).map((e) => e.resource.id);
    expect(ids(second).some((id) => ids(first).includes(id))).toBe(false);
    const other = await t.newToken('system/*.rs');
    const stolen = await t.request('GET', new URL(next.url).pathname + new URL(next.url).search, {
      token: other,
    });
    expect(stolen.status).toBe(400);
  });

  describe('bad input gets a clear OperationOutcome and changes nothing', () => {
    const cases: [string, string, string, Record<string, unknown>, number][] = [
      [
        'malformed JSON',
        'POST',
        '/fhir/R4/Patient',
        {
          raw: '{"resourceType": "Patient", "name": [',
          headers: { 'content-type': 'application/fhir+json' },
        },
        400,
      ],
      [
        'wrong content type',
        'POST',
        '/fhir/R4/Patient',
        { raw: 'name=x', headers: { 'content-type': 'text/html' } },
        415,
      ],
      ['unknown resource type', 'GET', '/fhir/R4/Spaceship/1', {}, 404],
      ['bad id', 'GET', '/fhir/R4/Patient/bad$id', {}, 400],
      ['unknown search parameter', 'GET', '/fhir/R4/Patient?favourite-colour=blue', {}, 400],
      ['bad date value', 'GET', '/fhir/R4/Patient?birthdate=yesterday', {}, 400],
      [
        'type mismatch in body',
        'POST',
        '/fhir/R4/Patient',
        { body: { resourceType: 'Observation' } },
        400,
      ],
      [
        'wrong JSON types',
        'POST',
        '/fhir/R4/Patient',
        { body: { resourceType: 'Patient', birthDate: 19110101 } },
        400,
      ],
      [
        'unknown element',
        'POST',
        '/fhir/R4/Patient',
        { body: { resourceType: 'Patient', favouriteColour: 'blue' } },
        400,
      ],
      [
        'bad code in a required binding',
        'POST',
        '/fhir/R4/Patient',
        { body: { resourceType: 'Patient', gender: 'Canarywing9' } },
        400,
      ],
      [
        'id mismatch on update',
        'PUT',
        '/fhir/R4/Patient/abc',
        { body: { resourceType: 'Patient', id: 'xyz' } },
        400,
      ],
      ['delete of an invalid id', 'DELETE', '/fhir/R4/Patient/a%20b', {}, 400],
      [
        'bad If-Match',
        'PUT',
        '/fhir/R4/Patient/abc',
        { body: { resourceType: 'Patient', id: 'abc' }, headers: { 'if-match': 'yesterday' } },
        400,
      ],
    ];
    it.each(cases)('%s', async (_name, method, url, opts, status) => {
      const before = await t.haven.records.resources.countLive();
      const res = await t.request(method, url, opts);
      expect(res.status).toBe(status);
      const body = res.json();
      expect(body.resourceType).toBe('OperationOutcome');
      expect(body.id).toBe(res.headers['x-request-id']);
      expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/); // no stack traces
      for (const s of [...canarySecrets(9), 'blue', 'yesterday', '19110101'])
        expect(res.text).not.toContain(s);
      expect(await t.haven.records.resources.countLive()).toBe(before);
    });

    it('an oversized body gets 413', async () => {
      const big = {
        resourceType: 'Patient',
        text: {
          status: 'generated',
          div: `<div xmlns="http://www.w3.org/1999/xhtml">${'x'.repeat(17 * 1024 * 1024)}</div>`,
        },
      };
      const res = await t.request('POST', '/fhir/R4/Patient', { body: big });
      expect(res.status).toBe(413);
    });
  });

  describe('credentials', () => {
    it('requires a bearer token for every PHI endpoint', async () => {
      for (const [m, u] of [
        ['GET', `/fhir/R4/Patient/${patientId}`],
        ['GET', '/fhir/R4/Patient?family=c'],
        ['GET', `/fhir/R4/Patient/${patientId}/_history`],
        ['POST', '/fhir/R4/Patient'],
      ]) {
        const res = await t.request(m!, u!, {
          token: null,
          ...(m === 'POST' ? { body: canaryPatient(9) } : {}),
        });
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      }
      expect(
        (
          await t.request('GET', `/fhir/R4/Patient/${patientId}`, {
            token: 'hvn_' + 'A'.repeat(43),
          })
        ).status,
      ).toBe(401);
    });

    it('serves the CapabilityStatement without a token', async () => {
      const res = await t.request('GET', '/fhir/R4/metadata', { token: null });
      expect(res.status).toBe(200);
      expect(res.json().resourceType).toBe('CapabilityStatement');
      const rest = (
        res.json().rest as { resource: { type: string; operation?: { name: string }[] }[] }[]
      )[0]!;
      const patient = rest.resource.find((r) => r.type === 'Patient')!;
      expect(patient.operation?.map((o) => o.name)).toEqual(['everything', 'export']);
    });

    it('enforces scopes: read-only cannot write, Patient-only cannot read Observations', async () => {
      const readOnly = await t.newToken('system/*.rs');
      expect(
        (await t.request('POST', '/fhir/R4/Patient', { token: readOnly, body: canaryPatient(9) }))
          .status,
      ).toBe(403);
      expect(
        (await t.request('GET', `/fhir/R4/Patient/${patientId}`, { token: readOnly })).status,
      ).toBe(200);
      const patientOnly = await t.newToken('system/Patient.r');
      expect(
        (
          await t.request('GET', `/fhir/R4/Observation?patient=${patientId}`, {
            token: patientOnly,
          })
        ).status,
      ).toBe(403);
      expect(
        (await t.request('GET', '/fhir/R4/Patient?family=c', { token: patientOnly })).status,
      ).toBe(403);
    });

    it('revocation works immediately', async () => {
      const { createApiClient } = await import('../../src/auth/index.js');
      const c = await createApiClient(t.haven.clients, 'short-lived', 'system/*.rs');
      expect(
        (await t.request('GET', `/fhir/R4/Patient/${patientId}`, { token: c.token })).status,
      ).toBe(200);
      await t.haven.clients.revoke(c.id);
      expect(
        (await t.request('GET', `/fhir/R4/Patient/${patientId}`, { token: c.token })).status,
      ).toBe(401);
    });
  });

  it('stores Binary attachments encrypted, checks content type and size, serves raw bytes', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from('synthetic test document')]);
    const created = await t.request('POST', '/fhir/R4/Binary', {
      raw: pdf,
      headers: { 'content-type': 'application/pdf', 'x-security-context': `Patient/${patientId}` },
    });
    expect(created.status).toBe(201);
    const id = String(created.json().id);
    const raw = await t.request('GET', `/fhir/R4/Binary/${id}`, {
      headers: { accept: 'application/pdf' },
    });
    expect(raw.status).toBe(200);
    expect(raw.headers['content-type']).toBe('application/pdf');
    expect(raw.body.equals(pdf)).toBe(true);
    const lying = await t.request('POST', '/fhir/R4/Binary', {
      raw: Buffer.from('<script>alert(1)</script>'),
      headers: { 'content-type': 'image/png' },
    });
    expect(lying.status).toBe(415);
    const exe = await t.request('POST', '/fhir/R4/Binary', {
      body: { resourceType: 'Binary', contentType: 'application/x-msdownload', data: 'TVqQ' },
    });
    expect(exe.status).toBe(415);
  });

  it('logs no PHI: no names, identifiers, search values or URLs with queries', () => {
    const all = t.logs.join('');
    expect(all.length).toBeGreaterThan(0);
    for (let n = 1; n <= 5; n++) for (const s of canarySecrets(n)) expect(all).not.toContain(s);
    expect(all).not.toMatch(/canaryw|quill|ZEBEDEE/i);
  });
});
