import type { GrantView } from '../../src/access/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestResponse, type TestServer } from '../support/haven-server.js';
import { api, MINUTE, TestClock } from './auth/sign-in.js';
import {
  buildClinic,
  fhirAs,
  signInRole,
  type Clinic,
  type RoleUser,
  type SignedIn,
} from './access/clinic.js';

const REASON = 'Synthetic emergency: test reason';
const MARK = 'emergency access (break-glass)';

type Grant = GrantView & { reason?: string };

/**
 * Emergency access through the HTTP API: a clinician with no relation to a patient asks for a
 * time-boxed grant with a reason, reads the record under it (every access marked in the trail),
 * cannot extend it, loses it at the exact expiry or when a reviewer ends it.
 */
describe.each(ENGINES)('break-glass on %s', (engine) => {
  let t: TestServer;
  let clinic: Clinic;
  const clock = new TestClock();

  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn });
    clinic = await buildClinic(t);
  }, 120_000);
  afterAll(async () => t.stop());

  const none = () => clinic.patients.none;
  const conditionId = () => clinic.records.none.Condition.id;
  const ask = (who: SignedIn, body: unknown, origin?: string) =>
    api(t, 'POST', '/api/break-glass', { body, jar: who.jar, ...(origin && { origin }) });
  const request = (who: SignedIn, reason = REASON) => ask(who, { patient: none(), reason });
  const grantOf = (res: TestResponse) => (res.json() as unknown as { grant: Grant }).grant;
  const listed = async (who: SignedIn): Promise<Grant[]> => {
    const res = await api(t, 'GET', '/api/break-glass', { jar: who.jar });
    expect(res.status).toBe(200);
    return (res.json() as unknown as { grants: Grant[] }).grants;
  };
  const read = (who: SignedIn) => fhirAs(t, who, 'GET', `/fhir/R4/Condition/${conditionId()}`);
  const found = async (who: SignedIn): Promise<string[]> => {
    const res = await fhirAs(t, who, 'GET', `/fhir/R4/Condition?_id=${conditionId()}`);
    expect(res.status).toBe(200);
    const bundle = res.json() as { entry?: { resource: { id: string } }[] };
    return (bundle.entry ?? []).map((e) => e.resource.id);
  };
  const auditFrom = async (seq: number) => t.haven.auditRepo.entries(seq, 100_000);
  const head = async () => (await t.haven.auditRepo.head()).size;
  const detailOf = (row: { detail: string | null }) =>
    JSON.parse(row.detail ?? '{}') as Record<string, unknown>;
  /** Moves the clock in steps short of the 15-minute idle logoff, each session staying active. */
  const advanceKeepingAlive = async (ms: number, ...whos: SignedIn[]) => {
    for (let left = ms; left > 0; left -= 10 * MINUTE) {
      clock.advance(Math.min(left, 10 * MINUTE));
      for (const who of whos) await listed(who);
    }
  };

  it('lets an unrelated physician in for the stated reason, marked in the trail and alerted without PHI', async () => {
    const doc = await signInRole(t, clock, clinic, 'physician');
    expect((await read(doc)).status).toBe(404);
    expect(await found(doc)).toEqual([]);

    const alertsBefore = t.haven.alerts.alerts.length;
    const seq = await head();
    const res = await request(doc);
    expect(res.status).toBe(201);
    const grant = grantOf(res);
    expect(grant).toMatchObject({ userId: doc.user.userId, patientId: none(), secondsLeft: 3600 });
    expect(Date.parse(grant.expiresAt) - Date.parse(grant.createdAt)).toBe(60 * MINUTE);
    expect(grant.createdAt).toBe(clock.now.toISOString());

    expect((await read(doc)).status).toBe(200);
    expect(await found(doc)).toEqual([conditionId()]);

    const rows = (await auditFrom(seq)).filter((r) => r.actor_id === doc.user.userId);
    const made = rows.filter((r) => r.action === 'break-glass');
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ outcome: 'success', patient_id: none() });
    expect(detailOf(made[0]!)).toEqual({ grant: grant.id, expiresAt: grant.expiresAt });
    const readRow = rows.find((r) => r.action === 'read');
    expect(readRow).toMatchObject({ outcome: 'success', patient_id: none(), reason: MARK });
    expect(detailOf(readRow!).emergency).toBe(grant.id);
    const searchRow = rows.find((r) => r.action === 'search');
    expect(searchRow).toMatchObject({ outcome: 'success', patient_id: none(), reason: MARK });
    expect(detailOf(searchRow!).emergency).toBe(grant.id);

    const raised = t.haven.alerts.alerts.slice(alertsBefore);
    expect(raised).toEqual([
      {
        rule: 'break-glass',
        severity: 'high',
        at: grant.createdAt,
        actorId: doc.user.userId,
        ref: grant.id,
      },
    ]);
    expect(JSON.stringify(raised)).not.toContain(none());
    expect(JSON.stringify(raised)).not.toContain(REASON);
    const alertLogs = t.logs.filter((l) => l.includes('security-alert') && l.includes(grant.id));
    expect(alertLogs).toHaveLength(1);
    expect(alertLogs[0]).not.toContain(none());
    expect(t.logs.filter((l) => l.includes(REASON))).toEqual([]);
  });

  it('shows the holder their grant and the time left (the banner), without the reason', async () => {
    const doc = await signInRole(t, clock, clinic, 'physician');
    const grant = grantOf(await request(doc));
    clock.advance(90_000);
    expect(await listed(doc)).toEqual([{ ...without(grant, 'secondsLeft'), secondsLeft: 3510 }]);
  });

  it('refuses a second request for the same patient while one is active: no extension', async () => {
    const doc = await signInRole(t, clock, clinic, 'physician');
    const grant = grantOf(await request(doc));
    clock.advance(3 * MINUTE);
    const again = await request(doc);
    expect(again.status).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'already-active' } });
    const now = await listed(doc);
    expect(now.map((g) => [g.id, g.expiresAt])).toEqual([[grant.id, grant.expiresAt]]);
  });

  it('ends at exactly expiresAt, and a new request afterwards is a new grant with a new alert', async () => {
    const doc = await signInRole(t, clock, clinic, 'physician');
    const grant = grantOf(await request(doc));
    const expiry = Date.parse(grant.expiresAt);
    await advanceKeepingAlive(expiry - 1000 - clock.now.getTime(), doc);
    expect(clock.now.getTime()).toBe(expiry - 1000);
    expect((await read(doc)).status).toBe(200);
    expect(await found(doc)).toEqual([conditionId()]);

    clock.advance(1000);
    expect(clock.now.toISOString()).toBe(grant.expiresAt);
    expect((await read(doc)).status).toBe(404);
    expect(await found(doc)).toEqual([]);
    expect(await listed(doc)).toEqual([]);

    // An hour after sign-in the session needs a fresh re-authentication for the new request.
    expect((await request(doc)).json()).toMatchObject({ error: { code: 'reauth-required' } });
    const reauth = await api(t, 'POST', '/api/reauth', {
      body: { password: doc.user.password },
      jar: doc.jar,
    });
    expect(reauth.status).toBe(204);
    const alertsBefore = t.haven.alerts.alerts.length;
    const res = await request(doc);
    expect(res.status).toBe(201);
    const next = grantOf(res);
    expect(next.id).not.toBe(grant.id);
    expect(next.createdAt).toBe(grant.expiresAt);
    expect(t.haven.alerts.alerts.slice(alertsBefore).map((a) => a.ref)).toEqual([next.id]);
    expect((await read(doc)).status).toBe(200);
  });

  it('lets an admin list grants with reasons and end one at once; others cannot end it', async () => {
    const doc = await signInRole(t, clock, clinic, 'physician');
    const nurse = await signInRole(t, clock, clinic, 'nurse');
    const admin = await signInRole(t, clock, clinic, 'admin');
    const grant = grantOf(await request(doc));
    expect(await listed(nurse)).toEqual([]);

    const all = await listed(admin);
    expect(all.find((g) => g.id === grant.id)).toMatchObject({
      userId: doc.user.userId,
      patientId: none(),
      reason: REASON,
    });

    const end = (who: SignedIn) =>
      api(t, 'POST', `/api/break-glass/${grant.id}/end`, { jar: who.jar });
    expect((await end(nurse)).status).toBe(404);
    expect((await read(doc)).status).toBe(200);

    const seq = await head();
    expect((await end(admin)).status).toBe(204);
    expect((await read(doc)).status).toBe(404);
    expect(await listed(doc)).toEqual([]);
    expect((await end(admin)).status).toBe(404);
    expect((await end(doc)).status).toBe(404);
    const ended = (await auditFrom(seq)).filter((r) => r.action === 'break-glass-end');
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ actor_id: admin.user.userId, patient_id: none() });
    expect(detailOf(ended[0]!)).toEqual({ grant: grant.id });
  });

  it.each<RoleUser>(['scheduler', 'lab_assistant', 'patient', 'admin', 'auditor'])(
    'refuses break-glass to a %s (403, audited)',
    async (role) => {
      const who = await signInRole(t, clock, clinic, role);
      const seq = await head();
      const res = await request(who);
      expect(res.status).toBe(403);
      const denied = (await auditFrom(seq)).filter(
        (r) => r.actor_id === who.user.userId && r.outcome === 'denied',
      );
      expect(denied.map((r) => r.action)).toEqual(['api-denied']);
      expect(detailOf(denied[0]!).route).toBe('break-glass:request');
      expect(await t.haven.breakGlass.activeGrants(who.user.userId)).toEqual([]);
    },
  );

  it('requires a re-authentication within the last 5 minutes', async () => {
    const doc = await signInRole(t, clock, clinic, 'physician');
    await advanceKeepingAlive(3 * MINUTE, doc);
    await advanceKeepingAlive(3 * MINUTE, doc);
    const res = await request(doc);
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: 'reauth-required' } });
    expect(await t.haven.breakGlass.activeGrants(doc.user.userId)).toEqual([]);
    const reauth = await api(t, 'POST', '/api/reauth', {
      body: { password: doc.user.password },
      jar: doc.jar,
    });
    expect(reauth.status).toBe(204);
    expect((await request(doc)).status).toBe(201);
  });

  it('refuses a short or overlong reason, an unknown patient and a cross-site request', async () => {
    const doc = await signInRole(t, clock, clinic, 'physician');
    for (const reason of ['too short', '   Synthetic   ', 'x'.repeat(501)]) {
      const res = await request(doc, reason);
      expect([reason.length, res.status]).toEqual([reason.length, 400]);
      expect(res.json()).toMatchObject({
        error: { code: 'invalid-request', fields: ['reason'] },
      });
      expect(res.text).not.toContain(reason.trim());
    }
    const unknown = await ask(doc, { patient: 'no-such-patient-0', reason: REASON });
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'unknown-patient' } });
    const cross = await ask(doc, { patient: none(), reason: REASON }, 'https://elsewhere.example');
    expect(cross.status).toBe(403);
    expect(cross.json()).toMatchObject({ error: { code: 'cross-site' } });
    expect(await t.haven.breakGlass.activeGrants(doc.user.userId)).toEqual([]);
  });

  it('shows the emergency read as a FHIR AuditEvent', async () => {
    const doc = await signInRole(t, clock, clinic, 'physician');
    const grant = grantOf(await request(doc));
    expect((await read(doc)).status).toBe(200);
    const token = await t.newToken('system/AuditEvent.rs');
    const query = `patient=${none()}&agent=${doc.user.userId}`;
    const events = async (subtype: string) => {
      const res = await t.request('GET', `/fhir/R4/AuditEvent?${query}&subtype=${subtype}`, {
        token,
      });
      expect(res.status).toBe(200);
      return ((res.json() as { entry?: { resource: Record<string, unknown> }[] }).entry ?? []).map(
        (e) => e.resource,
      );
    };
    const etreat = {
      system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
      code: 'ETREAT',
      display: 'Emergency Treatment',
    };
    const reads = await events('read');
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({
      outcome: '0',
      purposeOfEvent: [{ coding: [etreat], text: MARK }],
      entity: [
        { what: { reference: `Condition/${conditionId()}/_history/1` } },
        { what: { reference: `Patient/${none()}` } },
      ],
    });
    // The grant id is kept in the entry's detail, which the FHIR view does not show.
    expect(JSON.stringify(reads[0])).not.toContain(grant.id);
    const made = await events('break-glass');
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({
      type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110113' },
      subtype: [{ code: '110127', display: 'Emergency Override Started' }, { code: 'break-glass' }],
      purposeOfEvent: [{ coding: [etreat] }],
    });
    expect(JSON.stringify(made)).not.toContain(REASON);
  });
});

function without<T extends object, K extends keyof T>(o: T, key: K): Omit<T, K> {
  const { [key]: _drop, ...rest } = o;
  return rest;
}
