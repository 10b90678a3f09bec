// The rules engine off the request's path (ADR 0030, "Cost"): parallel reads still raise one
// alert, a restart counts the trail's last window again, an overflow is counted and alerted,
// and the windows follow the injected clock.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHaven, type Haven } from '../../src/app/index.js';
import type { AuditDraft } from '../../src/audit/index.js';
import { createLogger } from '../../src/logging/index.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { canaryPatient } from '../support/canary.js';
import { MINUTE, signIn, TestClock } from '../http/auth/sign-in.js';
import {
  buildClinic,
  fhirAs,
  signInRole,
  type Clinic,
  type SignedIn,
} from '../http/access/clinic.js';

const VIP = { system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'V' };
const VOLUME = 4;

describe.each(ENGINES)('alert rules on the audited read path on %s', (engine) => {
  let t: TestServer;
  let clinic: Clinic;
  let doc: SignedIn;
  let vip: string;
  const patients: string[] = [];
  const clock = new TestClock();
  let reopened: Haven | undefined;

  const created = async (body: Record<string, unknown>) => {
    const res = await t.request('POST', `/fhir/R4/${String(body.resourceType)}`, { body });
    expect(res.status).toBe(201);
    return String(res.json().id);
  };
  const onDocsTeam = (patient: string) =>
    created({
      resourceType: 'CareTeam',
      status: 'active',
      subject: { reference: `Patient/${patient}` },
      participant: [{ member: { reference: `Practitioner/${clinic.practitioners.doc}` } }],
    });
  const alerts = async (rule: string) =>
    (await t.haven.alertRepo.list({ rule, limit: 100 })).filter(
      (a) => a.userId === doc.user.userId,
    );

  beforeAll(async () => {
    t = await startTestServer(engine, {
      clock: clock.fn,
      env: { HAVEN_ALERT_VOLUME_PATIENTS: String(VOLUME), HAVEN_ALERT_VOLUME_MINUTES: '10' },
    });
    clinic = await buildClinic(t);
    vip = await created({ ...canaryPatient(41), meta: { security: [VIP] } });
    await onDocsTeam(vip);
    for (let i = 0; i < 8; i++) {
      const p = await created(canaryPatient(50 + i));
      await onDocsTeam(p);
      patients.push(p);
    }
    doc = await signInRole(t, clock, clinic, 'physician');
  }, 180_000);
  afterAll(async () => {
    if (reopened) {
      await reopened.close();
      await t.target.cleanup();
    } else await t?.stop();
  });

  it('a burst of parallel reads raises each alert exactly once; volume counts distinct patients', async () => {
    const reads = [
      ...Array.from({ length: 10 }, () => `/fhir/R4/Patient/${vip}`),
      ...patients.slice(0, 5).map((p) => `/fhir/R4/Patient/${p}`),
    ];
    const answers = await Promise.all(reads.map((path) => fhirAs(t, doc, 'GET', path)));
    expect(answers.map((a) => a.status)).toEqual(reads.map(() => 200));
    // Each response came after its audit entry was durable; the rules ran after the responses.
    await t.haven.alertStream.engine.idle();

    const vipAlerts = await alerts('vip-access');
    expect(vipAlerts).toHaveLength(1);
    expect(vipAlerts[0]!.patientId).toBe(vip);
    expect(vipAlerts[0]!.count).toBe(10);
    // Six distinct patients (the VIP and five others) against a threshold of four: one alert,
    // whatever order the parallel reads were committed in.
    const volume = await alerts('volume');
    expect(volume).toHaveLength(1);
    expect(volume[0]!.count).toBe(6 - VOLUME + 1);
    expect(t.haven.alertStream.engine.dropped).toBe(0);
    // A chart already opened in the window, opened again, is not one more patient.
    expect((await fhirAs(t, doc, 'GET', `/fhir/R4/Patient/${patients[0]}`)).status).toBe(200);
    await t.haven.alertStream.engine.idle();
    expect((await alerts('volume'))[0]!.count).toBe(6 - VOLUME + 1);
    // The reads were on the team: no care-relation alert, and nothing after hours at 07:00.
    expect(await alerts('no-care-relation')).toHaveLength(0);
  });

  it('after a restart the window counts the reads before it (rebuilt from the trail)', async () => {
    // A new ten-minute window and a new dedup hour: three distinct patients before the restart.
    clock.advance(61 * MINUTE);
    doc = { user: doc.user, jar: await signIn(t, clock, doc.user) };
    for (const p of patients.slice(5, 8)) {
      expect((await fhirAs(t, doc, 'GET', `/fhir/R4/Patient/${p}`)).status).toBe(200);
    }
    await t.haven.alertStream.engine.idle();
    const before = (await alerts('volume')).length;

    await t.server.close();
    await t.haven.close();
    reopened = await openHaven(t.config, {
      logger: createLogger('info', new Writable({ write: (_c, _e, cb) => cb() })),
      clock: clock.fn,
    });
    // The last hour of the trail holds the three reads (and the burst, an hour older: outside
    // the ten-minute window, so it does not count towards this one).
    expect(await reopened.alertStream.rebuilt).toBeGreaterThanOrEqual(3);

    // The fourth distinct patient in the window, as the group commit hands it over.
    clock.advance(MINUTE);
    const read: AuditDraft = {
      action: 'read',
      outcome: 'success',
      actorType: 'user',
      actorId: doc.user.userId,
      resourceType: 'Patient',
      patientId: patients[0]!,
      requestId: 'after-restart',
    };
    reopened.alertStream.observe([read], clock.now.toISOString());
    await reopened.alertStream.engine.idle();
    const volume = (await reopened.alertRepo.list({ rule: 'volume', limit: 100 })).filter(
      (a) => a.userId === doc.user.userId,
    );
    expect(volume).toHaveLength(before + 1);
  });
});
