import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { api, createUser, signIn, TestClock, type Jar } from '../http/auth/sign-in.js';

/** The privacy officer's /api: the report and incidents for auditors only, every call audited. */
describe.each(ENGINES)('compliance /api on %s', (engine) => {
  let t: TestServer;
  const clock = new TestClock();
  let auditor: Jar;
  let nurse: Jar;
  let auditorId: string;

  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn });
    const a = await createUser(t, clock, { roles: ['auditor'], totp: true });
    auditorId = a.userId;
    auditor = await signIn(t, clock, a);
    nurse = await signIn(t, clock, await createUser(t, clock, { roles: ['nurse'], totp: true }));
  });
  afterAll(async () => t.stop());

  const entries = async (action: string) =>
    (await t.haven.auditRepo.search({ action }, 100, 0)).rows;

  it('serves the report to an auditor, no-store, audited', async () => {
    const res = await api(t, 'GET', '/api/compliance/report', { jar: auditor });
    expect(res.status, res.text).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json() as { checks: { id: string; status: string }[] };
    expect(body.checks.map((c) => c.id)).toContain('idle-timeout');
    expect(body.checks.find((c) => c.id === 'idle-timeout')!.status).toBe('pass');
    expect((await entries('compliance-report')).some((e) => e.actor_id === auditorId)).toBe(true);
  });

  it('refuses a nurse (403, audited) and a request without a session (401)', async () => {
    const res = await api(t, 'GET', '/api/compliance/report', { jar: nurse });
    expect(res.status).toBe(403);
    expect(
      (await entries('api-denied')).some(
        (e) => JSON.parse(e.detail ?? '{}').route === 'compliance:read',
      ),
    ).toBe(true);
    expect((await api(t, 'GET', '/api/incidents', { jar: nurse })).status).toBe(403);
    expect((await api(t, 'GET', '/api/incidents')).status).toBe(401);
  });

  it('records an incident, refuses PHI in it (422, audited), and drafts a notice', async () => {
    const created = await api(t, 'POST', '/api/incidents', {
      jar: auditor,
      body: {
        discoveredAt: clock.now.toISOString(),
        description: 'Unencrypted laptop stolen from a car',
        systems: ['laptop'],
      },
    });
    expect(created.status, created.text).toBe(201);
    const view = created.json() as { incident: { id: string }; version: number };
    const refused = await api(t, 'POST', '/api/incidents', {
      jar: auditor,
      body: {
        discoveredAt: clock.now.toISOString(),
        description: 'Call the patient back at 555-961-9901',
        systems: [],
      },
    });
    expect(refused.status).toBe(422);
    expect(refused.text).not.toContain('555-961-9901');
    expect((await entries('request-refused')).length).toBeGreaterThan(0);

    const assessment = {
      version: view.version,
      natureAndExtent: 'Names and visit dates of clinic patients',
      unauthorizedPerson: 'an unknown thief',
      acquiredOrViewed: 'acquired',
      mitigation: 'Remote wipe requested; disk encryption now enforced',
      lowProbabilityOfCompromise: false,
    };
    const path = `/api/incidents/${view.incident.id}/assessment`;
    const assessed = await api(t, 'POST', path, { jar: auditor, body: assessment });
    expect(assessed.status, assessed.text).toBe(200);
    expect((assessed.json() as { version: number }).version).toBe(view.version + 1);
    // Saved against the version it read, after someone else saved: a conflict, nothing changed.
    const stale = await api(t, 'POST', path, { jar: auditor, body: assessment });
    expect(stale.status).toBe(409);
    const notice = await api(t, 'POST', `/api/incidents/${view.incident.id}/notice`, {
      jar: auditor,
      body: {
        organization: 'Example Clinic',
        phone: '1-800-555-0100',
        email: 'privacy@clinic.example',
        postalAddress: '1 Main St',
      },
    });
    expect(notice.status).toBe(200);
    expect((notice.json() as { draft: string }).draft).toContain('{{recipient_name}}');
    const list = await api(t, 'GET', '/api/incidents', { jar: auditor });
    expect((list.json() as { incidents: unknown[] }).incidents).toHaveLength(1);
  });
});
