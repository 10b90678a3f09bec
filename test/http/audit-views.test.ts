import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaryPatient, canarySecrets } from '../support/canary.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';

describe.each(ENGINES)('audit views on %s', (engine) => {
  let t: TestServer;
  let patientId: string;
  let auditor: string;
  beforeAll(async () => {
    t = await startTestServer(engine, { scopes: 'system/Patient.cruds' });
    auditor = await t.newToken('system/AuditEvent.rs');
    patientId = String(
      (await t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(41) })).json().id,
    );
    await t.request('GET', `/fhir/R4/Patient/${patientId}`);
    await t.request('GET', '/fhir/R4/Patient?family=canarywing41');
    await t.request('GET', `/fhir/R4/Observation?patient=${patientId}`); // denied: no Observation scope
  });
  afterAll(async () => t.stop());

  it('lists every access to a patient record as FHIR AuditEvents, newest first', async () => {
    const res = await t.request('GET', `/fhir/R4/AuditEvent?patient=${patientId}`, {
      token: auditor,
    });
    expect(res.status).toBe(200);
    const bundle = res.json() as {
      total: number;
      entry: {
        resource: {
          subtype: { code: string }[];
          outcome: string;
          entity: { what: { reference: string } }[];
        };
      }[];
    };
    const subtypes = bundle.entry.map((e) => e.resource.subtype[0]!.code);
    expect(subtypes).toEqual(['search-type', 'read', 'create']);
    expect(
      bundle.entry.every((e) =>
        e.resource.entity.some((x) => x.what.reference === `Patient/${patientId}`),
      ),
    ).toBe(true);
    for (const s of canarySecrets(41)) expect(res.text).not.toContain(s);
  });

  it('filters by outcome and date, and reads one event by id', async () => {
    const denied = (
      await t.request('GET', '/fhir/R4/AuditEvent?outcome=4', { token: auditor })
    ).json() as { total: number; entry: { resource: { id: string } }[] };
    expect(denied.total).toBe(1);
    const one = await t.request('GET', `/fhir/R4/AuditEvent/${denied.entry[0]!.resource.id}`, {
      token: auditor,
    });
    expect(one.json()).toMatchObject({ resourceType: 'AuditEvent', outcome: '4' });
    const future = (
      await t.request('GET', '/fhir/R4/AuditEvent?date=gt2100-01-01', { token: auditor })
    ).json();
    expect(future.total).toBe(0);
    expect(
      (await t.request('GET', '/fhir/R4/AuditEvent?date=yesterday', { token: auditor })).status,
    ).toBe(400);
  });

  it('serves the accounting of disclosures without staff-internal details', async () => {
    const res = await t.request('GET', `/api/patients/${patientId}/disclosures`, {
      token: auditor,
    });
    expect(res.status).toBe(200);
    const body = res.json() as { accesses: Record<string, unknown>[] };
    expect(body.accesses.map((a) => a.action)).toEqual(['search', 'read', 'create']);
    for (const a of body.accesses) {
      expect(a).not.toHaveProperty('ip');
      expect(a).not.toHaveProperty('userAgent');
      expect(a).not.toHaveProperty('requestId');
    }
  });

  it('records a rejected bearer token as an authentication failure, without the token', async () => {
    const forged = 'hvn_' + 'Q'.repeat(43);
    expect(
      (await t.request('GET', `/fhir/R4/Patient/${patientId}`, { token: forged })).status,
    ).toBe(401);
    const res = await t.request('GET', '/fhir/R4/AuditEvent?subtype=token-rejected', {
      token: auditor,
    });
    expect(res.json().total).toBe(1);
    expect(res.text).not.toContain(forged);
    // No header at all is not an authentication attempt and is not recorded.
    await t.request('GET', `/fhir/R4/Patient/${patientId}`, { token: null });
    expect(
      (
        await t.request('GET', '/fhir/R4/AuditEvent?subtype=token-rejected', { token: auditor })
      ).json().total,
    ).toBe(1);
  });

  it('refuses the audit trail to clients without AuditEvent scope, and records the attempt', async () => {
    expect((await t.request('GET', '/fhir/R4/AuditEvent')).status).toBe(403);
    const wildcard = await t.newToken('system/*.rs');
    expect((await t.request('GET', '/fhir/R4/AuditEvent', { token: wildcard })).status).toBe(403);
    expect((await t.request('GET', `/api/patients/${patientId}/disclosures`)).status).toBe(403);
    const attempts = (
      await t.request('GET', '/fhir/R4/AuditEvent?subtype=audit-read&outcome=4', { token: auditor })
    ).json();
    expect(attempts.total).toBe(3);
  });
});
