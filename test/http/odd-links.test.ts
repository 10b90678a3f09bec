import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHaven } from '../support/cli.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { api, createUser, signIn, TestClock } from './auth/sign-in.js';
import type { SignedIn } from './access/clinic.js';

/**
 * Runs `haven …` (the real commander program, in this process: test/support/cli.ts) against the
 * test server's data and database.
 */
async function haven(t: TestServer, args: string[]): Promise<{ code: number; stderr: string }> {
  const env: Record<string, string> = { HAVEN_LOG_LEVEL: 'warn' };
  if (t.target.databaseUrl) {
    env.DATABASE_URL = t.target.databaseUrl;
    env.HAVEN_DB_SCHEMA = t.target.schema!;
  }
  const { code, stderr } = await runHaven([...args, '--data', t.target.dataDir], env);
  return { code, stderr };
}

/**
 * Odd links (issue 13, item 10): a person is linked only to a record that exists, and an
 * attachment written in the same transaction as its owner belongs to that owner.
 */
describe.each(ENGINES)('links to records on %s', (engine) => {
  let t: TestServer;
  const clock = new TestClock();
  let admin: SignedIn;

  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn });
    const user = await createUser(t, clock, { totp: true, roles: ['admin'] });
    admin = { user, jar: await signIn(t, clock, user) };
  }, 60_000);
  afterAll(async () => t.stop());

  const created = async (body: Record<string, unknown>) => {
    const res = await t.request('POST', `/fhir/R4/${String(body.resourceType)}`, { body });
    expect(res.status).toBe(201);
    return (res.json() as { id: string }).id;
  };
  const users = async () => (await t.haven.people.users.list()).length;
  let n = 0;
  const email = () => `linked-${++n}-${engine}@clinic.example`;

  it('refuses to link an account to a Patient or Practitioner that is not stored (HTTP)', async () => {
    const before = await users();
    const unknown = crypto.randomUUID();
    for (const body of [
      { email: email(), roles: ['patient'], patientId: unknown },
      { email: email(), roles: ['nurse'], practitionerId: unknown },
    ]) {
      const res = await api(t, 'POST', '/api/admin/users', { jar: admin.jar, body });
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'user-link-invalid' } });
      expect(res.text).not.toContain(unknown);
    }
    expect(await users()).toBe(before);
    // A record created afterwards under that id finds no account waiting for it.
    const put = await t.request('PUT', `/fhir/R4/Patient/${unknown}`, {
      body: { resourceType: 'Patient', id: unknown, name: [{ family: 'Testpatient' }] },
    });
    expect(put.status).toBe(201);
    expect(await users()).toBe(before);
    // Stored ones are linked as before.
    const patient = await created({ resourceType: 'Patient', name: [{ family: 'Testpatient' }] });
    const doc = await created({ resourceType: 'Practitioner', name: [{ family: 'Testdoc' }] });
    for (const body of [
      { email: email(), roles: ['patient'], patientId: patient },
      { email: email(), roles: ['physician'], practitionerId: doc },
    ]) {
      const res = await api(t, 'POST', '/api/admin/users', { jar: admin.jar, body });
      // Accepted, and held for a second admin (two-person rule for linked accounts).
      expect(res.status).toBe(202);
    }
    // The wrong type is not a link either: a Practitioner's id as a patient link.
    const crossed = await api(t, 'POST', '/api/admin/users', {
      jar: admin.jar,
      body: { email: email(), roles: ['patient'], patientId: doc },
    });
    expect(crossed.status).toBe(400);
  });

  it('refuses the same from `haven user add`', async () => {
    const before = await users();
    const unknown = crypto.randomUUID();
    for (const flags of [
      ['--role', 'patient', '--patient', unknown],
      ['--role', 'nurse', '--practitioner', unknown],
    ]) {
      const run = await haven(t, ['user', 'add', '--email', email(), ...flags]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        /no (Patient|Practitioner) with that id is stored \[user-link-invalid\]/,
      );
      expect(run.stderr).not.toContain(unknown);
    }
    expect(await users()).toBe(before);
    const patient = await created({ resourceType: 'Patient', name: [{ family: 'Testpatient' }] });
    const ok = await haven(t, [
      'user',
      'add',
      '--email',
      email(),
      '--role',
      'patient',
      '--patient',
      patient,
    ]);
    expect(ok).toEqual({ code: 0, stderr: '' });
    expect(await users()).toBe(before + 1);
  });

  it('gives an attachment the owner of its securityContext written in the same transaction', async () => {
    const ids = {
      patient: `urn:uuid:${crypto.randomUUID()}`,
      doc: `urn:uuid:${crypto.randomUUID()}`,
      note: `urn:uuid:${crypto.randomUUID()}`,
      scan: `urn:uuid:${crypto.randomUUID()}`,
    };
    const binary = (context: string) => ({
      resourceType: 'Binary',
      contentType: 'text/plain',
      securityContext: { reference: context },
      data: Buffer.from('synthetic attachment').toString('base64'),
    });
    // The attachments come first: their owners are known before anything is written.
    const entries = [
      { fullUrl: ids.note, resource: binary(ids.doc), request: { method: 'POST', url: 'Binary' } },
      {
        fullUrl: ids.scan,
        resource: binary(ids.patient),
        request: { method: 'POST', url: 'Binary' },
      },
      {
        fullUrl: ids.patient,
        resource: { resourceType: 'Patient', name: [{ family: 'Testpatient' }] },
        request: { method: 'POST', url: 'Patient' },
      },
      {
        fullUrl: ids.doc,
        resource: {
          resourceType: 'DocumentReference',
          status: 'current',
          subject: { reference: ids.patient },
          content: [{ attachment: { contentType: 'text/plain', url: ids.note } }],
        },
        request: { method: 'POST', url: 'DocumentReference' },
      },
    ];
    const res = await t.request('POST', '/fhir/R4', {
      body: { resourceType: 'Bundle', type: 'transaction', entry: entries },
    });
    expect(res.status).toBe(200);
    const [note, scan, patient, doc] = (
      res.json() as unknown as { entry: { response: { location: string } }[] }
    ).entry.map((e) => e.response.location.split('/').slice(0, 2));
    const owner = async ([type, id]: string[]) =>
      (await t.haven.records.resources.head(type!, id!))?.owner;
    const patientRef = `Patient/${patient![1]}`;
    expect(await owner(patient!)).toBe(patientRef);
    expect(await owner(doc!)).toBe(patientRef);
    expect(await owner(scan!)).toBe(patientRef);
    expect(await owner(note!)).toBe(patientRef);
    // So the patient's own everything export holds both attachments.
    const everything = await t.request('GET', `/fhir/R4/Patient/${patient![1]}/$everything`);
    const types = (
      everything.json() as unknown as { entry: { resource: { resourceType: string } }[] }
    ).entry.map((e) => e.resource.resourceType);
    expect(types.filter((x) => x === 'Binary')).toHaveLength(2);
  });
});
