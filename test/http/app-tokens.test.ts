import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password/index.js';
import { UserRepository } from '../../src/store/index.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { api, MINUTE, STAFF_PASSWORD, TestClock } from './auth/sign-in.js';
import { buildClinic, signInRole, type Clinic, type SignedIn } from './access/clinic.js';

/**
 * An app acting for a person: a bearer token the person makes (signed in, re-authenticated),
 * carrying SMART user/ or patient/ scopes. Role and scopes must both allow.
 */
describe.each(ENGINES)('app tokens on %s', (engine) => {
  let t: TestServer;
  let clinic: Clinic;
  const clock = new TestClock();

  const makeToken = async (who: SignedIn, scopes: string) => {
    const res = await api(t, 'POST', '/api/app-tokens', {
      jar: who.jar,
      body: { name: 'Synthetic test app', scopes },
    });
    expect(res.status).toBe(201);
    return res.json() as { id: string; token: string };
  };
  const get = (token: string, path: string) =>
    t.request('GET', path, { token, headers: { accept: 'application/fhir+json' } });

  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn });
    clinic = await buildClinic(t);
  }, 120_000);
  afterAll(async () => t.stop());

  it('needs both the role and the scopes', async () => {
    const doc = await signInRole(t, clock, clinic, 'physician');
    const { id: firstApp, token } = await makeToken(doc, 'user/Observation.rs');
    const own = clinic.records.own;
    expect((await get(token, `/fhir/R4/Observation/${own['Observation:lab'].id}`)).status).toBe(
      200,
    );
    // The role would allow Conditions; the scopes do not.
    expect((await get(token, `/fhir/R4/Condition/${own.Condition.id}`)).status).toBe(403);
    // The scopes would allow another patient's Observation; the role does not.
    const other = clinic.records.other['Observation:lab'].id;
    expect((await get(token, `/fhir/R4/Observation/${other}`)).status).toBe(404);
    // Reading is not writing.
    const write = await t.request('PUT', `/fhir/R4/Observation/${own['Observation:lab'].id}`, {
      token,
      body: (await t.request('GET', `/fhir/R4/Observation/${own['Observation:lab'].id}`)).json(),
    });
    expect(write.status).toBe(403);
    // The trail names the person, and the app token they acted through.
    const reads = (await t.haven.auditRepo.entries(0, 100_000)).filter(
      (r) =>
        r.actor_type === 'user' &&
        r.actor_id === doc.user.userId &&
        r.action === 'read' &&
        r.outcome === 'success',
    );
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.map((r) => JSON.parse(r.detail ?? '{}').app)).toEqual(reads.map(() => firstApp));
  });

  it('gives broad scopes no more than the role allows', async () => {
    const desk = await signInRole(t, clock, clinic, 'scheduler');
    const { token } = await makeToken(desk, 'user/*.cruds');
    expect((await get(token, `/fhir/R4/Condition/${clinic.records.own.Condition.id}`)).status).toBe(
      403,
    );
    // Any patient's front-desk record, as the role allows; clinical records stay closed.
    expect((await get(token, `/fhir/R4/Patient/${clinic.patients.none}`)).status).toBe(200);
    expect((await get(token, `/fhir/R4/Observation?patient=${clinic.patients.none}`)).status).toBe(
      403,
    );
  });

  it('limits patient/ scopes to the person’s own record', async () => {
    const me = await signInRole(t, clock, clinic, 'patient');
    const { token } = await makeToken(me, 'patient/Condition.rs');
    expect((await get(token, `/fhir/R4/Condition/${clinic.records.own.Condition.id}`)).status).toBe(
      200,
    );
    const search = (await get(token, '/fhir/R4/Condition')).json() as { total: number };
    expect(search.total).toBe(1);
  });

  it('refuses system/ scopes, needs a fresh re-authentication, and can be listed and revoked', async () => {
    const nurse = await signInRole(t, clock, clinic, 'nurse');
    const system = await api(t, 'POST', '/api/app-tokens', {
      jar: nurse.jar,
      body: { name: 'x', scopes: 'system/*.rs' },
    });
    expect(system.status).toBe(400);
    const { id, token } = await makeToken(nurse, 'user/Condition.r');
    const listed = (await api(t, 'GET', '/api/app-tokens', { jar: nurse.jar })).json() as {
      tokens: { id: string; name: string }[];
    };
    expect(listed.tokens.map((x) => x.id)).toEqual([id]);
    expect(JSON.stringify(listed)).not.toContain(token);
    expect((await api(t, 'POST', `/api/app-tokens/${id}/revoke`, { jar: nurse.jar })).status).toBe(
      204,
    );
    expect((await get(token, `/fhir/R4/Condition/${clinic.records.own.Condition.id}`)).status).toBe(
      401,
    );

    clock.advance(6 * MINUTE);
    await api(t, 'GET', '/api/app-tokens', { jar: nurse.jar }); // activity, not re-authentication
    const stale = await api(t, 'POST', '/api/app-tokens', {
      jar: nurse.jar,
      body: { name: 'late', scopes: 'user/Condition.r' },
    });
    expect(stale.status).toBe(401);
    expect(stale.json()).toMatchObject({ error: { code: 'reauth-required' } });
  });

  it('stops working when the person changes their password, is disabled or has their MFA reset', async () => {
    const doc = await signInRole(t, clock, clinic, 'physician');
    const { token } = await makeToken(doc, 'user/Condition.r');
    const path = `/fhir/R4/Condition/${clinic.records.own.Condition.id}`;
    expect((await get(token, path)).status).toBe(200);
    clock.advance(1000);
    const changed = await api(t, 'POST', '/api/password', {
      jar: doc.jar,
      body: { current: STAFF_PASSWORD, next: 'amber meadow compass 77' },
    });
    expect(changed.status).toBeLessThan(300);
    expect((await get(token, path)).status).toBe(401);

    const doc2 = await signInRole(t, clock, clinic, 'physician');
    const second = await makeToken(doc2, 'user/Condition.r');
    expect((await get(second.token, path)).status).toBe(200);
    await t.haven.people.users.disable(doc2.user.userId);
    expect((await get(second.token, path)).status).toBe(401);

    // An MFA reset ends the app tokens with the sessions: the second factor behind them is gone.
    const doc3 = await signInRole(t, clock, clinic, 'physician');
    const third = await makeToken(doc3, 'user/Condition.r');
    expect((await get(third.token, path)).status).toBe(200);
    await t.haven.people.users.resetMfa(doc3.user.userId);
    expect((await get(third.token, path)).status).toBe(401);
  });

  it('refuses a token older than the password even on a path that forgot to revoke it', async () => {
    // Every product path that changes a password also revokes app tokens; this changes it
    // straight in the store, so only the principal check (token older than the password) is left.
    const doc = await signInRole(t, clock, clinic, 'physician');
    const { token } = await makeToken(doc, 'user/Condition.r');
    const path = `/fhir/R4/Condition/${clinic.records.own.Condition.id}`;
    expect((await get(token, path)).status).toBe(200);
    clock.advance(1000);
    const users = new UserRepository(t.haven.database.db);
    const row = (await users.findById(doc.user.userId))!;
    const next = await hashPassword('amber meadow compass 78');
    expect(
      await users.replacePasswordHash(row.id, row.passwordHash, next, clock.fn().toISOString()),
    ).toBe(true);
    expect((await get(token, path)).status).toBe(401);
    // The refusal is about age: a token made after the change, by the same session, works.
    clock.advance(1000);
    const later = await makeToken(doc, 'user/Condition.r');
    expect((await get(later.token, path)).status).toBe(200);
  });
});
