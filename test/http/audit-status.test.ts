import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAttacker } from '../audit/trail-harness.js';
import { canaryPatient } from '../support/canary.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';

/**
 * GET /api/audit/status (the auditor's screen): whether the whole trail verifies and its newest
 * checkpoint, for those who may search the trail only, each look recorded, never cached; and a
 * changed entry turns it to "does not verify", naming the entry.
 */
describe.each(ENGINES)('audit trail status on %s', (engine) => {
  let t: TestServer;
  let auditor: string;
  beforeAll(async () => {
    t = await startTestServer(engine, { scopes: 'system/Patient.cruds' });
    auditor = await t.newToken('system/AuditEvent.rs');
    for (let i = 0; i < 3; i++)
      await t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(60 + i) });
    await t.haven.signCheckpoint();
  });
  afterAll(async () => t.stop());

  const status = (token?: string | null) =>
    t.request('GET', '/api/audit/status', token === undefined ? {} : { token });

  it('says the trail verifies, with its newest checkpoint; the look is recorded; no-store', async () => {
    const res = await status(auditor);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json() as {
      verified: boolean;
      entries: number;
      lastCheckpoint: { size: number; rootHash: string };
    };
    const entries = await t.haven.auditRepo.countEntries();
    expect(body.verified).toBe(true);
    // The look itself is entry number `entries` (written before the check ran).
    expect(body.entries).toBe(entries);
    const newest = (await t.haven.auditRepo.checkpoints()).at(-1)!;
    expect(body.lastCheckpoint).toMatchObject({
      size: newest.size,
      rootHash: newest.rootHash.toString('hex'),
    });
    const { rows } = await t.haven.auditRepo.search({ action: 'audit-read' }, 5, 0);
    expect(rows[0]).toMatchObject({ outcome: 'success' });
  });

  it('refuses a caller who may not search the trail, and records the refusal', async () => {
    const before = await t.haven.auditRepo.countEntries();
    const res = await status(); // the server's default token: clinical scopes only
    expect(res.status).toBe(403);
    expect(res.text).not.toMatch(/verified|checkpoint/);
    expect(await t.haven.auditRepo.countEntries()).toBeGreaterThan(before);
    const { rows } = await t.haven.auditRepo.search({ outcome: 'denied' }, 5, 0);
    expect(rows.length).toBeGreaterThan(0);
    expect((await status(null)).status).toBe(401);
  });

  it('reports a changed entry as not verifying, naming it', async () => {
    await asAttacker(t.haven, `UPDATE audit_entries SET actor_id = 'someone-else' WHERE seq = 2`);
    const body = (await status(auditor)).json() as {
      verified: boolean;
      problem: { seq: number; kind: string };
    };
    expect(body.verified).toBe(false);
    expect(body.problem).toEqual({ seq: 2, kind: 'modified-entry' });
  });
});
