import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ipKey } from '../../src/auth/index.js';
import { ENGINES } from '../support/engines.js';
import {
  startTestServer,
  type RequestOptions,
  type TestResponse,
  type TestServer,
} from '../support/haven-server.js';
import {
  absorbCookies,
  api,
  createUser,
  loginPassword,
  MINUTE,
  TestClock,
  totpNow,
  type Jar,
  type TestUser,
} from './auth/sign-in.js';

/**
 * People signed in with a session cookie reach the FHIR API as one request principal, and the
 * access decision refuses them until the second factor is done (issue 5, parts 3 and 6).
 */
describe.each(ENGINES)('session principal on the FHIR API on %s', (engine) => {
  let t: TestServer;
  const clock = new TestClock();
  const users: TestUser[] = [];

  /** A FHIR request as the web app would send it: session cookie, same Origin, CSRF header. */
  const fhir = (
    method: string,
    path: string,
    jar: Jar,
    o: { csrf?: boolean; origin?: string; token?: string; body?: unknown } = {},
  ): Promise<TestResponse> => {
    const headers: Record<string, string> = {
      origin: o.origin ?? new URL(t.server.url).origin,
    };
    if (jar.session) headers.cookie = `__Host-haven_session=${jar.session}`;
    if (o.csrf !== false && jar.csrf) headers['x-csrf-token'] = jar.csrf;
    const ro: RequestOptions = { token: o.token ?? null, headers };
    if (o.body !== undefined) ro.body = o.body;
    return t.request(method, path, ro);
  };

  const make = async () => {
    // An admin: signed in with both factors, yet no clinical record is theirs to read.
    const u = await createUser(t, clock, { totp: true, roles: ['admin'] });
    users.push(u);
    return u;
  };

  /** Completes the second factor on a password-step session (the cookie rotates). */
  const completeTotp = async (jar: Jar, user: TestUser) => {
    const res = await api(t, 'POST', '/api/login/totp', {
      body: { code: totpNow(user.totpSecret!, clock) },
      jar,
    });
    expect(res.status).toBe(200);
    absorbCookies(jar, res);
    clock.advance(MINUTE);
  };

  const deniedRows = async (userId: string) =>
    (await t.haven.auditRepo.entries(0, 100_000)).filter(
      (r) => r.actor_type === 'user' && r.actor_id === userId && r.outcome === 'denied',
    );

  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn });
  });
  beforeEach(async () => {
    await t.haven.people.throttle.unlock(ipKey('127.0.0.1'));
  });
  afterAll(async () => {
    for (const u of users) await t.haven.people.sessions.endAllForUser(u.userId);
    await t.stop();
  });

  it('refuses PHI before the second factor (401 login, audited mfa-required), then 403 after', async () => {
    const user = await make();
    const jar = await loginPassword(t, user);

    const before = await fhir('GET', '/fhir/R4/Patient/x', jar);
    expect(before.status).toBe(401);
    expect(before.json()).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ code: 'login', diagnostics: 'complete the second factor' }],
    });
    const mfaDenials = await deniedRows(user.userId);
    expect(mfaDenials).toHaveLength(1);
    expect(mfaDenials[0]).toMatchObject({ action: 'read', resource_type: 'Patient' });
    expect(JSON.parse(mfaDenials[0]!.detail!)).toEqual({ reason: 'mfa-required' });

    // The denial is in the FHIR AuditEvent view of the trail too.
    const auditor = await t.newToken('system/AuditEvent.rs');
    const events = await t.request('GET', `/fhir/R4/AuditEvent?agent=${user.userId}&outcome=4`, {
      token: auditor,
    });
    expect(events.status).toBe(200);
    const entries = (events.json() as { entry?: { resource: Record<string, unknown> }[] }).entry;
    expect(entries).toHaveLength(1);
    expect(entries![0]!.resource).toMatchObject({
      resourceType: 'AuditEvent',
      outcome: '4',
      subtype: [{ code: 'read' }],
      agent: [{ who: { identifier: { system: 'urn:haven:user', value: user.userId } } }],
    });

    // The audit views are PHI too: the same gate.
    const trail = await fhir('GET', `/fhir/R4/AuditEvent?agent=${user.userId}`, jar);
    expect(trail.status).toBe(401);
    expect(trail.json().issue?.[0]?.code).toBe('login');

    await completeTotp(jar, user);
    const after = await fhir('GET', '/fhir/R4/Patient/x', jar);
    expect(after.status).toBe(403);
    expect(after.json().issue?.[0]?.code).toBe('forbidden');
    const reasons = (await deniedRows(user.userId))
      .filter((r) => r.action === 'read')
      .map((r) => JSON.parse(r.detail!) as { reason: string });
    expect(reasons.map((r) => r.reason)).toEqual(['mfa-required', 'role-not-permitted']);
    expect((await fhir('GET', `/fhir/R4/AuditEvent?agent=${user.userId}`, jar)).status).toBe(403);
  });

  it('gates search, create and everything alike before the second factor', async () => {
    const user = await make();
    const jar = await loginPassword(t, user);
    expect((await fhir('GET', '/fhir/R4/Patient?name=x', jar)).status).toBe(401);
    expect((await fhir('GET', '/fhir/R4/Patient/x/$everything', jar)).status).toBe(401);
    const created = await fhir('POST', '/fhir/R4/Patient', jar, {
      body: { resourceType: 'Patient' },
    });
    expect(created.status).toBe(401);
    expect(created.json().issue?.[0]?.code).toBe('login');
    expect((await deniedRows(user.userId)).length).toBeGreaterThanOrEqual(2);
  });

  it('refuses a state-changing cookie request without the CSRF header or from another site', async () => {
    const user = await make();
    const jar = await loginPassword(t, user);
    await completeTotp(jar, user);
    const body = { resourceType: 'Patient' };

    const noCsrf = await fhir('POST', '/fhir/R4/Patient', jar, { body, csrf: false });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.json()).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ code: 'forbidden', diagnostics: expect.stringContaining('CSRF') }],
    });
    const crossSite = await fhir('POST', '/fhir/R4/Patient', jar, {
      body,
      origin: 'https://evil.example',
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.json().issue?.[0]?.diagnostics).toBe('cross-site requests are refused');
    // Neither refusal reached the access decision: each is recorded once, by the HTTP layer's
    // refusal audit (issue 13 item 7), not as a denied create. The CSRF refusal names the
    // session's person; the cross-site one is refused before the session is even looked up.
    const refusals = await deniedRows(user.userId);
    expect(refusals.map((r) => [r.action, r.reason])).toEqual([['request-refused', 'forbidden']]);
    const crossSiteRows = (await t.haven.auditRepo.entries(0, 100_000)).filter(
      (r) => r.request_id === crossSite.headers['x-request-id'],
    );
    expect(crossSiteRows.map((r) => [r.action, r.actor_type, r.outcome])).toEqual([
      ['request-refused', 'anonymous', 'denied'],
    ]);

    // With the header, same origin: authenticated, and refused by the decision (an admin).
    const ok = await fhir('POST', '/fhir/R4/Patient', jar, { body });
    expect(ok.status).toBe(403);
    const rows = (await deniedRows(user.userId)).slice(refusals.length);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'create' });
    expect(JSON.parse(rows[0]!.detail!)).toEqual({ reason: 'role-not-permitted' });
  });

  it('refuses ended sessions like any missing credential (401), with no session in the store', async () => {
    const user = await make();
    const jar = await loginPassword(t, user);
    await completeTotp(jar, user);
    expect((await fhir('GET', '/fhir/R4/Patient/x', jar)).status).toBe(403);

    clock.advance(15 * MINUTE); // idle limit
    const idle = await fhir('GET', '/fhir/R4/Patient/x', jar);
    expect(idle.status).toBe(401);
    expect(idle.json().issue?.[0]?.code).toBe('login');
    expect(idle.headers['www-authenticate']).toBe('Bearer realm="haven"');
    expect(await t.haven.people.sessions.resolve(jar.session, { touch: false })).toBeUndefined();

    const again = await loginPassword(t, user);
    await completeTotp(again, user);
    const stolen = { ...again };
    expect((await api(t, 'POST', '/api/logout', { jar: again })).status).toBeLessThan(300);
    expect((await fhir('GET', '/fhir/R4/Patient/x', stolen)).status).toBe(401);

    // A disabled account's session ends at once.
    const third = await loginPassword(t, user);
    await completeTotp(third, user);
    await t.haven.people.users.disable(user.userId);
    expect((await fhir('GET', '/fhir/R4/Patient/x', third)).status).toBe(401);
  });

  it('leaves bearer tokens as they were, and a bearer token wins over a cookie', async () => {
    const created = await t.request('POST', '/fhir/R4/Patient', {
      body: { resourceType: 'Patient', active: true },
    });
    expect(created.status).toBe(201);
    const id = (created.json() as { id: string }).id;
    expect((await t.request('GET', `/fhir/R4/Patient/${id}`)).status).toBe(200);

    const user = await make();
    const jar = await loginPassword(t, user); // MFA pending: alone it would be refused
    const both = await fhir('GET', `/fhir/R4/Patient/${id}`, jar, { token: t.token });
    expect(both.status).toBe(200);

    const bad = await fhir('GET', `/fhir/R4/Patient/${id}`, jar, { token: 'not-a-token' });
    expect(bad.status).toBe(401);
    expect(bad.json().issue?.[0]?.diagnostics).toBe('the bearer token is invalid or revoked');

    const none = await t.request('GET', `/fhir/R4/Patient/${id}`, { token: null });
    expect(none.status).toBe(401);
    expect(none.json().issue?.[0]?.diagnostics).toBe('a bearer token is required');
    expect(none.headers['www-authenticate']).toBe('Bearer realm="haven"');
  });
});
