import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportDir } from '../../src/bulk/index.js';
import { bulkExport, kickOff, pollUntilDone } from '../support/bulk-client.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { buildClinic, signInRole, type Clinic, type SignedIn } from './access/clinic.js';
import { api, MINUTE, TestClock } from './auth/sign-in.js';

/**
 * Bulk Data `$export` (issue 20 part 4, ADR 0036) driven by a Bulk Data client
 * (test/support/bulk-client.ts): kick-off, poll, manifest, download, NDJSON — and every record
 * compared with the same record read one by one, on both engines.
 */
describe.each(ENGINES)('Bulk Data $export on %s', (engine) => {
  let t: TestServer;
  let clinic: Clinic;
  let physician: SignedIn;
  let groupId: string;
  const clock = new TestClock();

  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn });
    clinic = await buildClinic(t);
    physician = await signInRole(t, clock, clinic, 'physician');
    const group = await t.request('POST', '/fhir/R4/Group', {
      body: {
        resourceType: 'Group',
        type: 'person',
        actual: true,
        member: [{ entity: { reference: `Patient/${clinic.patients.other}` } }],
      },
    });
    expect(group.status).toBe(201);
    groupId = String(group.json().id);
  }, 180_000);
  afterAll(async () => t.stop());

  const appToken = async (who: SignedIn, scopes: string): Promise<string> => {
    const res = await api(t, 'POST', '/api/app-tokens', {
      jar: who.jar,
      body: { name: 'Synthetic bulk app', scopes },
    });
    expect(res.status).toBe(201);
    return (res.json() as { token: string }).token;
  };

  /** Every exported record equals the record read alone by the same token. */
  const expectSameAsReads = async (
    resources: Map<string, Record<string, unknown>[]>,
    token: string | null,
  ) => {
    let n = 0;
    for (const [type, list] of resources) {
      for (const r of list) {
        const read = await t.request('GET', `/fhir/R4/${type}/${String(r.id)}`, {
          token: token ?? undefined,
          headers: { accept: 'application/fhir+json' },
        });
        expect([type, read.status]).toEqual([type, 200]);
        expect(r).toEqual(read.json());
        n += 1;
      }
    }
    return n;
  };

  it('runs a whole system export: 202, progress, manifest, NDJSON files equal to reads', async () => {
    const result = await bulkExport(
      t,
      `/fhir/R4/$export?_outputFormat=${encodeURIComponent('application/fhir+ndjson')}`,
      null,
    );
    const m = result.manifest;
    expect(m.requiresAccessToken).toBe(true);
    expect(m.error).toEqual([]);
    expect(m.transactionTime).toBe(clock.now.toISOString());
    expect(m.request).toMatch(/\/fhir\/R4\/\$export\?_outputFormat=/);
    for (const o of m.output) expect(o.url).toMatch(/\/fhir\/R4\/\$export-file\/[0-9a-f-]{36}\//);
    // Every patient of the clinic, with every variant, and the directory and the Group.
    expect(
      result.resources
        .get('Patient')!
        .map((p) => p.id)
        .sort(),
    ).toEqual(Object.values(clinic.patients).sort());
    expect(result.resources.get('Observation')!.length).toBe(6);
    expect(result.resources.get('Practitioner')!.length).toBe(3);
    expect(result.resources.get('Group')!.length).toBe(1);
    const counts = Object.fromEntries(m.output.map((o) => [o.type, o.count]));
    for (const [type, list] of result.resources) expect(counts[type]).toBe(list.length);
    expect(await expectSameAsReads(result.resources, null)).toBeGreaterThan(30);
  });

  it('exports at Patient level (compartments only), by _type and _since', async () => {
    const all = await bulkExport(t, '/fhir/R4/Patient/$export', null);
    expect(all.resources.has('Practitioner')).toBe(false);
    expect(all.resources.has('Group')).toBe(false);
    expect(all.resources.get('Patient')!.length).toBe(3);
    const typed = await bulkExport(t, '/fhir/R4/Patient/$export?_type=Condition,Patient', null);
    expect([...typed.resources.keys()].sort()).toEqual(['Condition', 'Patient']);
    // Only what changed at or after _since.
    clock.advance(MINUTE);
    const since = clock.now.toISOString();
    const cond = clinic.records.none.Condition;
    const upd = await t.request('PUT', `/fhir/R4/Condition/${cond.id}`, {
      body: { ...cond, meta: undefined, note: [{ text: 'updated' }] },
    });
    expect(upd.status).toBe(200);
    const recent = await bulkExport(t, `/fhir/R4/Patient/$export?_since=${since}`, null);
    expect([...recent.resources.keys()]).toEqual(['Condition']);
    expect(recent.resources.get('Condition')!.map((c) => c.id)).toEqual([cond.id]);
  });

  it('exports a Group: its member patients only', async () => {
    const result = await bulkExport(t, `/fhir/R4/Group/${groupId}/$export`, null);
    const owners = new Set<string>();
    for (const list of result.resources.values())
      for (const r of list) {
        if (r.resourceType === 'Patient') owners.add(String(r.id));
        const subject = (r.subject ?? r.patient) as { reference?: string } | undefined;
        if (subject?.reference) owners.add(subject.reference.replace('Patient/', ''));
      }
    expect([...owners]).toEqual([clinic.patients.other]);
    expect(await expectSameAsReads(result.resources, null)).toBeGreaterThan(5);
    const missing = await kickOff(t, '/fhir/R4/Group/no-such-group/$export', null);
    expect(missing.status).toBe(404);
  });

  it('never holds what the token could not read one by one (a physician app: own patients)', async () => {
    const token = await appToken(physician, 'user/*.rs');
    const result = await bulkExport(t, '/fhir/R4/Patient/$export', token);
    const patients = result.resources.get('Patient')!.map((p) => p.id);
    expect(patients).toEqual([clinic.patients.own]);
    for (const list of result.resources.values())
      for (const r of list) {
        const ref = (r.subject as { reference?: string } | undefined)?.reference;
        if (ref) expect(ref).toBe(`Patient/${clinic.patients.own}`);
      }
    expect(await expectSameAsReads(result.resources, token)).toBeGreaterThan(5);
    // The other patients' records: none of them readable, none exported.
    const other = await t.request('GET', `/fhir/R4/Patient/${clinic.patients.other}`, { token });
    expect(other.status).toBe(404);
    // A Group of someone else's patients exports nothing of theirs.
    const viaGroup = await kickOff(t, `/fhir/R4/Group/${groupId}/$export`, token);
    expect(viaGroup.status).toBe(403);
    // A type the token may not read is refused at kick-off, audited.
    const narrow = await t.newToken('system/Patient.rs');
    const refused = await kickOff(t, '/fhir/R4/$export?_type=Patient,Condition', narrow);
    expect(refused.status).toBe(403);
    const narrowAll = await bulkExport(t, '/fhir/R4/$export', narrow);
    expect([...narrowAll.resources.keys()]).toEqual(['Patient']);
  });

  it('audits the export with the patient set it contained, and each download', async () => {
    const token = await appToken(physician, 'user/*.rs');
    const result = await bulkExport(t, '/fhir/R4/Patient/$export', token);
    const id = result.statusPath.split('/').pop()!;
    const rows = await t.haven.auditRepo.entries(0, 1_000_000);
    const mine = rows.filter((r) => (r.detail ?? '').includes(id));
    const perPatient = mine.filter((r) => r.action === 'export');
    expect(perPatient.map((r) => r.patient_id)).toEqual([clinic.patients.own]);
    expect(
      mine.filter((r) => r.action === 'bulk-export').map((r) => JSON.parse(r.detail!).stage),
    ).toEqual(['kick-off', 'complete']);
    expect(mine.filter((r) => r.action === 'bulk-export-download').length).toBe(
      result.manifest.output.length,
    );
    // Ids only: no name of the clinic's patients in any of these entries.
    expect(JSON.stringify(mine)).not.toMatch(/Testpatient|Synthetic/);
  });

  it('keeps an export to its caller: another token, another app, nobody get 404 or 401', async () => {
    const token = await appToken(physician, 'user/*.rs');
    const result = await bulkExport(t, '/fhir/R4/Patient/$export', token);
    const file = new URL(result.manifest.output[0]!.url).pathname;
    const sameUserOtherApp = await appToken(physician, 'user/*.rs');
    for (const other of [sameUserOtherApp, t.token]) {
      expect((await t.request('GET', result.statusPath, { token: other })).status).toBe(404);
      expect((await t.request('GET', file, { token: other })).status).toBe(404);
      expect((await t.request('DELETE', result.statusPath, { token: other })).status).toBe(404);
    }
    const none = await t.request('GET', file, { token: null, headers: {} });
    expect([401, 403]).toContain(none.status);
    expect((await t.request('GET', file, { token })).status).toBe(200);
  });

  it('refuses a kick-off without Prefer: respond-async, another format, an unknown parameter', async () => {
    const noPrefer = await t.request('GET', '/fhir/R4/$export');
    expect(noPrefer.status).toBe(400);
    expect((await kickOff(t, '/fhir/R4/$export?_outputFormat=text/csv', null)).status).toBe(400);
    expect((await kickOff(t, '/fhir/R4/$export?_typeFilter=x', null)).status).toBe(400);
    expect((await kickOff(t, '/fhir/R4/$export?_since=yesterday', null)).status).toBe(400);
    expect((await kickOff(t, '/fhir/R4/$export?_type=Spaceship', null)).status).toBe(404);
  });

  it('runs parallel kick-offs of several callers, each to its own complete manifest', async () => {
    const tokens = await Promise.all([1, 2, 3, 4].map(() => t.newToken('system/*.rs')));
    const results = await Promise.all(
      tokens.map((tk, i) =>
        bulkExport(t, i % 2 ? '/fhir/R4/Patient/$export' : '/fhir/R4/$export', tk),
      ),
    );
    const ids = new Set(results.map((r) => r.statusPath));
    expect(ids.size).toBe(4);
    for (const [i, r] of results.entries())
      expect(r.resources.get('Patient')!.length).toBe(3 + (i % 2 ? 0 : 0));
  });

  it('deletes the files at expiry (the sweep, on the injected clock), and on DELETE', async () => {
    const result = await bulkExport(t, '/fhir/R4/$export?_type=Patient', null);
    const id = result.statusPath.split('/').pop()!;
    const dir = exportDir(path.join(t.config.dataDir, 'exports'), id);
    expect(fs.readdirSync(dir).length).toBe(1);
    // Sealed at rest: no patient name in the file.
    const sealed = fs.readFileSync(path.join(dir, fs.readdirSync(dir)[0]!));
    expect(sealed.toString('latin1')).not.toMatch(/Testpatient|"resourceType"/);
    clock.advance(59 * MINUTE);
    await t.haven.bulk.sweep(); // earlier tests' exports may go; this one is kept
    expect(fs.existsSync(dir)).toBe(true);
    expect((await t.request('GET', result.statusPath)).status).toBe(200);
    clock.advance(2 * MINUTE);
    expect(await t.haven.bulk.sweep()).toBeGreaterThanOrEqual(1);
    expect(fs.existsSync(dir)).toBe(false);
    expect((await t.request('GET', result.statusPath)).status).toBe(404);
    expect((await t.request('GET', new URL(result.manifest.output[0]!.url).pathname)).status).toBe(
      404,
    );
    // DELETE: the client is done with the files.
    const again = await bulkExport(t, '/fhir/R4/$export?_type=Patient', null);
    const againDir = exportDir(
      path.join(t.config.dataDir, 'exports'),
      again.statusPath.split('/').pop()!,
    );
    expect((await t.request('DELETE', again.statusPath)).status).toBe(202);
    expect(fs.existsSync(againDir)).toBe(false);
    expect((await t.request('GET', again.statusPath)).status).toBe(404);
  });

  it('refuses a file tampered with on disk (GCM tag), audited, without a byte of it', async () => {
    const result = await bulkExport(t, '/fhir/R4/$export?_type=Patient', null);
    const id = result.statusPath.split('/').pop()!;
    const dir = exportDir(path.join(t.config.dataDir, 'exports'), id);
    const name = fs.readdirSync(dir)[0]!;
    const bytes = fs.readFileSync(path.join(dir, name));
    bytes[bytes.length - 40]! ^= 0x01;
    fs.writeFileSync(path.join(dir, name), bytes);
    const res = await t.request('GET', new URL(result.manifest.output[0]!.url).pathname);
    expect(res.status).toBe(500);
    expect(res.json().resourceType).toBe('OperationOutcome');
    expect(res.text).not.toMatch(/Testpatient/);
    const rows = await t.haven.auditRepo.entries(0, 1_000_000);
    const failed = rows.filter(
      (r) =>
        r.action === 'bulk-export-download' && r.outcome === 'failure' && r.detail!.includes(id),
    );
    expect(failed.map((r) => JSON.parse(r.detail!).error)).toEqual(['integrity']);
    // A file from another export, put in place of this one, fails too (bound to its export).
    const other = await bulkExport(t, '/fhir/R4/$export?_type=Patient', null);
    const otherDir = exportDir(
      path.join(t.config.dataDir, 'exports'),
      other.statusPath.split('/').pop()!,
    );
    fs.copyFileSync(path.join(otherDir, name), path.join(dir, name));
    expect((await t.request('GET', new URL(result.manifest.output[0]!.url).pathname)).status).toBe(
      500,
    );
  });

  it('polls while running: 202 with X-Progress, then 200', async () => {
    const kick = await kickOff(t, '/fhir/R4/$export', null);
    expect(kick.status).toBe(202);
    const statusPath = new URL(String(kick.headers['content-location'])).pathname;
    const { res } = await pollUntilDone(t, statusPath, null);
    expect(res.status).toBe(200);
  });
});
