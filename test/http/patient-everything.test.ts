import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaryPatient } from '../support/canary.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';

describe.each(ENGINES)('Patient/$everything on %s', (engine) => {
  let t: TestServer;
  let patientId: string;
  let otherId: string;
  let auditor: string;

  beforeAll(async () => {
    t = await startTestServer(engine);
    auditor = await t.newToken('system/AuditEvent.rs');
    patientId = String(
      (await t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(51) })).json().id,
    );
    otherId = String(
      (await t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(52) })).json().id,
    );
    for (const [subject, text] of [
      [patientId, 'a'],
      [patientId, 'b'],
      [otherId, 'c'],
    ] as const) {
      await t.request('POST', '/fhir/R4/Condition', {
        body: {
          resourceType: 'Condition',
          subject: { reference: `Patient/${subject}` },
          code: { text },
        },
      });
    }
    await t.request('POST', '/fhir/R4/Binary', {
      raw: Buffer.from('%PDF-1.4 synthetic'),
      headers: { 'content-type': 'application/pdf', 'x-security-context': `Patient/${patientId}` },
    });
  });
  afterAll(async () => t.stop());

  it('returns the patient and everything in their compartment, and nobody else\u2019s', async () => {
    const res = await t.request('GET', `/fhir/R4/Patient/${patientId}/$everything`);
    expect(res.status).toBe(200);
    const bundle = res.json() as {
      total: number;
      entry: { resource: { resourceType: string; subject?: { reference: string } } }[];
    };
    expect(bundle.entry.map((e) => e.resource.resourceType).sort()).toEqual([
      'Binary',
      'Condition',
      'Condition',
      'Patient',
    ]);
    expect(
      bundle.entry.every(
        (e) => !e.resource.subject || e.resource.subject.reference === `Patient/${patientId}`,
      ),
    ).toBe(true);
    const conditionsOnly = (
      await t.request('GET', `/fhir/R4/Patient/${patientId}/$everything?_type=Condition`)
    ).json();
    expect(conditionsOnly.total).toBe(2);
  });

  it('leaves out the types the caller may not read (minimum necessary)', async () => {
    const patientOnly = await t.newToken('system/Patient.r');
    const bundle = (
      await t.request('GET', `/fhir/R4/Patient/${patientId}/$everything`, { token: patientOnly })
    ).json();
    expect(bundle.total).toBe(1);
  });

  it('records one export of the patient record; a raw attachment is recorded as a download', async () => {
    const binaryId = String(
      (
        (await t.request('GET', `/fhir/R4/Patient/${patientId}/$everything?_type=Binary`)).json()
          .entry as { resource: { id: string } }[]
      )[0]!.resource.id,
    );
    const raw = await t.request('GET', `/fhir/R4/Binary/${binaryId}`, {
      headers: { accept: 'application/pdf' },
    });
    expect(raw.status).toBe(200);
    const events = (
      await t.request('GET', `/fhir/R4/AuditEvent?patient=${patientId}`, { token: auditor })
    ).json() as { entry: { resource: { subtype: { code: string }[] } }[] };
    const codes = events.entry.flatMap((e) => e.resource.subtype.map((s) => s.code));
    expect(codes.filter((c) => c === 'export').length).toBeGreaterThanOrEqual(3);
    expect(codes).toContain('attachment-download');
  });

  it('refuses unknown parameters and unknown patients', async () => {
    expect(
      (await t.request('GET', `/fhir/R4/Patient/${patientId}/$everything?start=2020`)).status,
    ).toBe(400);
    expect((await t.request('GET', '/fhir/R4/Patient/no-such-patient/$everything')).status).toBe(
      404,
    );
  });
});
