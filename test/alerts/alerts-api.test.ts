import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../src/alerts/index.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { canaryPatient, canarySecrets } from '../support/canary.js';
import { api, TestClock } from '../http/auth/sign-in.js';
import {
  buildClinic,
  fhirAs,
  signInRole,
  type Clinic,
  type SignedIn,
} from '../http/access/clinic.js';
import { receivers, until, type Receivers } from './sinks.js';

const SECRET = 'webhook-test-secret';
const VIP = { system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'V' };

interface AlertView {
  id: string;
  rule: string;
  userId: string | null;
  patientId: string | null;
  status: string;
  ackBy: string | null;
  ackComment: string | null;
}

describe.each(ENGINES)('alerts end to end on %s', (engine) => {
  let t: TestServer;
  let r: Receivers;
  let clinic: Clinic;
  let doc: SignedIn;
  let auditor: SignedIn;
  let vip: string;
  let kin: string;
  const clock = new TestClock();

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
  const settle = async () => {
    await t.haven.alertStream.engine.idle();
    await t.haven.alertStream.delivery.flush();
  };

  beforeAll(async () => {
    r = await receivers();
    t = await startTestServer(engine, {
      clock: clock.fn,
      env: {
        HAVEN_ALERT_WEBHOOK: r.webhookUrl,
        HAVEN_ALERT_WEBHOOK_SECRET: SECRET,
        HAVEN_ALERT_SYSLOG: `udp://127.0.0.1:${r.udpPort}`,
        HAVEN_SMTP_URL: r.smtpUrl,
        HAVEN_ALERT_EMAIL: 'privacy@clinic.example',
      },
    });
    clinic = await buildClinic(t);
    // A VIP (flagged with the confidentiality label V) and a patient sharing Dr Testdoc's surname.
    vip = await created({ ...canaryPatient(31), meta: { security: [VIP] } });
    const namesake = canaryPatient(32);
    namesake.name = [{ family: 'Testdoc', given: ['Canaryjoy32'] }];
    kin = await created(namesake);
    await onDocsTeam(vip);
    await onDocsTeam(kin);
    doc = await signInRole(t, clock, clinic, 'physician');
    auditor = await signInRole(t, clock, clinic, 'auditor');
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
    await r?.close();
  });

  it('a VIP chart read and a namesake read raise alerts an auditor lists, PHI-free everywhere', async () => {
    expect((await fhirAs(t, doc, 'GET', `/fhir/R4/Patient/${vip}`)).status).toBe(200);
    expect((await fhirAs(t, doc, 'GET', `/fhir/R4/Patient/${kin}`)).status).toBe(200);
    expect((await fhirAs(t, doc, 'GET', `/fhir/R4/Patient/${clinic.patients.own}`)).status).toBe(
      200,
    );
    await settle();
    await until(() => r.udp.length >= 2 && r.mail.length >= 2, 'syslog and mail');

    const res = await api(t, 'GET', '/api/alerts?status=open', { jar: auditor.jar });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const alerts = (res.json() as { alerts: AlertView[] }).alerts;
    const mine = alerts.filter((a) => a.userId === doc.user.userId);
    expect(mine.filter((a) => a.rule === 'vip-access').map((a) => a.patientId)).toEqual([vip]);
    expect(mine.filter((a) => a.rule === 'same-surname').map((a) => a.patientId)).toEqual([kin]);
    // The patient on the team with another surname and no VIP label raises neither.
    expect(mine.some((a) => a.patientId === clinic.patients.own)).toBe(false);

    const filtered = await api(t, 'GET', `/api/alerts?rule=vip-access&patient=${vip}`, {
      jar: auditor.jar,
    });
    expect((filtered.json() as { alerts: AlertView[] }).alerts.map((a) => a.rule)).toEqual([
      'vip-access',
    ]);

    // Webhooks are signed, and no sink payload nor the API answer carries PHI.
    for (const w of r.webhook) {
      const ok = verifyWebhook(
        SECRET,
        {
          timestamp: w.headers['x-haven-timestamp'] as string,
          signature: w.headers['x-haven-signature'] as string,
        },
        w.body,
        clock.now.getTime(),
      );
      expect(ok).toBe(true);
    }
    const outbound = [...r.webhook.map((w) => w.body), ...r.udp, ...r.mail];
    expect(outbound.length).toBeGreaterThanOrEqual(6);
    const everything = [...outbound, res.text].join('\n');
    for (const secret of [...canarySecrets(31), ...canarySecrets(32), 'Canaryjoy32', 'Testdoc'])
      expect(everything).not.toContain(secret);
    // Patient ids stay inside Haven: the sinks carry the alert id instead.
    for (const text of outbound) {
      expect(text).not.toContain(vip);
      expect(text).not.toContain(kin);
    }
  });

  it('only auditors see alerts; a refusal is audited', async () => {
    const before = (await t.haven.auditRepo.head()).size;
    const res = await api(t, 'GET', '/api/alerts', { jar: doc.jar });
    expect(res.status).toBe(403);
    const entries = await t.haven.auditRepo.entries(before, 1000);
    expect(entries.some((e) => e.action === 'api-denied' && e.outcome === 'denied')).toBe(true);
  });

  it('acknowledges with a comment once, audited; the second and an unknown id are refused', async () => {
    const list = await api(t, 'GET', '/api/alerts?rule=vip-access', { jar: auditor.jar });
    const target = (list.json() as { alerts: AlertView[] }).alerts[0]!;
    const before = (await t.haven.auditRepo.head()).size;
    const path = `/api/alerts/${target.id}/acknowledge`;
    const [one, two] = await Promise.all([
      api(t, 'POST', path, {
        jar: auditor.jar,
        body: { comment: 'Checked with the ward: covering for a colleague' },
      }),
      api(t, 'POST', path, { jar: auditor.jar, body: { comment: 'Second look' } }),
    ]);
    expect([one.status, two.status].sort()).toEqual([200, 409]);
    const winner = (one.status === 200 ? one : two).json() as { alert: AlertView };
    expect(winner.alert).toMatchObject({ status: 'acknowledged', ackBy: auditor.user.userId });
    const unknown = await api(t, 'POST', '/api/alerts/no-such-alert/acknowledge', {
      jar: auditor.jar,
      body: { comment: 'nothing here' },
    });
    expect(unknown.status).toBe(404);
    const bad = await api(t, 'POST', path, { jar: auditor.jar, body: { comment: '' } });
    expect(bad.status).toBe(400);
    const entries = (await t.haven.auditRepo.entries(before, 1000)).filter(
      (e) => e.action === 'alert-acknowledge',
    );
    expect(entries.map((e) => e.outcome).sort()).toEqual(['failure', 'failure', 'success']);
    // The comment is in the alert, not in the trail.
    expect(JSON.stringify(entries)).not.toContain('covering for a colleague');
  });
});
