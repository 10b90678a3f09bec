import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipKey } from '../../src/auth/index.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestResponse, type TestServer } from '../support/haven-server.js';
import { fhirAs, type SignedIn } from './access/clinic.js';
import { api, createUser, MINUTE, signIn, STAFF_PASSWORD, TestClock } from './auth/sign-in.js';

interface Listed {
  id: string;
  email: string;
  roles: string[];
  status: string;
  mfaConfigured: boolean;
}

const ACTIONS = ['disable', 'reset-mfa', 'unlock'] as const;
const AUDITED = { disable: 'user-disable', 'reset-mfa': 'mfa-reset', unlock: 'user-unlock' };
const NO_SUCH_USER = '00000000-0000-4000-8000-000000000000';

let counter = 0;
const newEmail = () => `admin-added-${++counter}@clinic.example`;

/** User management through the session API: admins only, re-authenticated, every act audited. */
describe.each(ENGINES)('admin user API on %s', (engine) => {
  let t: TestServer;
  const clock = new TestClock();

  const terminal: string[] = [];

  beforeAll(async () => {
    t = await startTestServer(engine, {
      clock: clock.fn,
      terminal: { write: (text: string) => terminal.push(text) },
    });
  });
  afterAll(async () => t.stop());

  const person = async (roles: string[]): Promise<SignedIn> => {
    const user = await createUser(t, clock, { totp: true, roles });
    return { user, jar: await signIn(t, clock, user) };
  };
  const call = (who: SignedIn, method: string, path: string, body?: unknown) =>
    api(t, method, path, { jar: who.jar, ...(body !== undefined && { body }) });
  const act = (who: SignedIn, action: (typeof ACTIONS)[number], id: string) =>
    call(who, 'POST', `/api/admin/users/${id}/${action}`);
  const list = async (who: SignedIn): Promise<Listed[]> => {
    const res = await call(who, 'GET', '/api/admin/users');
    expect(res.status).toBe(200);
    return (res.json() as unknown as { users: Listed[] }).users;
  };
  const entry = async (id: string) => (await t.haven.people.users.list()).find((u) => u.id === id);
  const head = async () => (await t.haven.auditRepo.head()).size;
  const auditFrom = async (seq: number) => t.haven.auditRepo.entries(seq, 100_000);
  const detailOf = (row: { detail: string | null }) =>
    JSON.parse(row.detail ?? '{}') as Record<string, unknown>;
  const errorCode = (res: TestResponse) =>
    (res.json() as { error?: { code?: string } }).error?.code;
  const login = (email: string, password: string) =>
    api(t, 'POST', '/api/login', { body: { email, password }, csrf: false });

  it('lists users and adds one whose enrollment token works once', async () => {
    const admin = await person(['admin']);
    expect((await list(admin)).find((u) => u.id === admin.user.userId)).toEqual(
      expect.objectContaining({
        email: admin.user.email,
        roles: ['admin'],
        status: 'active',
        mfaConfigured: true,
      }),
    );

    const email = newEmail();
    const second = await person(['admin']);
    const seq = await head();
    // Every account waits for a second admin (two-person rule: admin-approvals.test.ts); the
    // enrollment link goes to the server's terminal, never to either admin.
    const res = await call(admin, 'POST', '/api/admin/users', { email, roles: ['nurse'] });
    expect(res.status).toBe(202);
    const { approvalId } = res.json() as { approvalId: string };
    const printed = terminal.length;
    const approved = await call(second, 'POST', `/api/admin/approvals/${approvalId}/approve`);
    expect(approved.status).toBe(200);
    const link = /enroll#([A-Za-z0-9_-]{43})/.exec(terminal.slice(printed).join(''));
    const added = {
      userId: (approved.json() as { subjectId: string }).subjectId,
      enrollmentToken: link![1]!,
    };
    expect(approved.text).not.toContain(added.enrollmentToken);
    const created = (await auditFrom(seq)).filter((r) => r.action === 'user-create');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ outcome: 'success', actor_id: second.user.userId });
    expect(detailOf(created[0]!)).toEqual({ subject: added.userId, roles: ['nurse'] });

    const listing = await call(admin, 'GET', '/api/admin/users');
    expect(listing.text).not.toContain(added.enrollmentToken);
    expect((await list(admin)).find((u) => u.id === added.userId)).toMatchObject({
      email,
      roles: ['nurse'],
      status: 'invited',
      mfaConfigured: false,
    });

    const enroll = () =>
      api(t, 'POST', '/api/enroll', {
        body: { token: added.enrollmentToken, password: STAFF_PASSWORD },
        csrf: false,
      });
    expect((await enroll()).status).toBe(204);
    const replay = await enroll();
    expect([replay.status, errorCode(replay)]).toEqual([400, 'enrollment-token-invalid']);
    expect((await list(admin)).find((u) => u.id === added.userId)?.status).toBe('active');
    expect((await login(email, STAFF_PASSWORD)).status).toBe(200);
  });

  it('disables, resets MFA and unlocks, each audited with the admin as actor', async () => {
    const target = await person(['nurse']);
    const second = await person(['physician']);
    const locked = await createUser(t, clock, { roles: ['scheduler'] });
    const admin = await person(['admin']);
    // Five failures lock the account for a minute; the clock stays put until the unlock.
    for (let i = 0; i < 5; i++)
      expect((await login(locked.email, 'definitely not it')).status).toBe(401);
    // The per-address back-off is separate from the account's lock; lift it for later sign-ins.
    for (const address of ['127.0.0.1', '::ffff:127.0.0.1'])
      await t.haven.people.throttle.unlock(ipKey(address));
    expect((await login(locked.email, locked.password)).status).toBe(429);
    expect((await entry(locked.userId))?.status).toBe('locked');

    const seq = await head();
    expect((await act(admin, 'disable', target.user.userId)).status).toBe(204);
    expect((await entry(target.user.userId))?.status).toBe('disabled');
    expect((await call(target, 'GET', '/api/session')).status).toBe(401);
    expect((await login(target.user.email, target.user.password)).status).toBe(401);

    expect((await act(admin, 'reset-mfa', second.user.userId)).status).toBe(204);
    expect((await entry(second.user.userId))?.mfaConfigured).toBe(false);
    expect((await call(second, 'GET', '/api/session')).status).toBe(401);

    expect((await act(admin, 'unlock', locked.userId)).status).toBe(204);
    expect((await entry(locked.userId))?.status).toBe('active');
    expect((await login(locked.email, locked.password)).status).toBe(200);

    const rows = (await auditFrom(seq)).filter((r) => r.actor_id === admin.user.userId);
    const subjects = rows
      .filter((r) => Object.values(AUDITED).includes(r.action as never))
      .map((r) => [r.action, r.outcome, detailOf(r).subject]);
    expect(subjects).toEqual([
      ['user-disable', 'success', target.user.userId],
      ['mfa-reset', 'success', second.user.userId],
      ['user-unlock', 'success', locked.userId],
    ]);
  });

  it.each([['physician'], ['auditor']])(
    'refuses every admin route to a %s (403, audited as api-denied)',
    async (role) => {
      const target = await createUser(t, clock, { totp: true, roles: ['nurse'] });
      const who = await person([role]);
      const email = newEmail();
      const seq = await head();
      const answers = [
        await call(who, 'GET', '/api/admin/users'),
        await call(who, 'POST', '/api/admin/users', { email, roles: ['admin'] }),
        ...(await each(ACTIONS, (a) => act(who, a, target.userId))),
      ];
      expect(answers.map((r) => [r.status, errorCode(r)])).toEqual(
        Array.from({ length: 5 }, () => [403, 'forbidden']),
      );
      const denied = (await auditFrom(seq)).filter((r) => r.actor_id === who.user.userId);
      expect(denied.map((r) => [r.action, r.outcome, detailOf(r).route])).toEqual(
        Array.from({ length: 5 }, () => ['api-denied', 'denied', 'users:manage']),
      );
      const users = await t.haven.people.users.list();
      expect(users.some((u) => u.email === email)).toBe(false);
      expect(users.find((u) => u.id === target.userId)).toMatchObject({
        status: 'active',
        mfaConfigured: true,
      });
    },
  );

  it('resends an invitation to the person: the old link stops working, the new one enrolls', async () => {
    const admin = await person(['admin']);
    const enrolled = await person(['nurse']);
    const email = newEmail();
    const invited = await t.haven.people.users.addUser({ email, roles: ['scheduler'] });
    const seq = await head();
    const printed = terminal.length;
    const res = await call(admin, 'POST', `/api/admin/users/${invited.userId}/resend-invitation`);
    expect(res.status).toBe(204);
    // The admin's answer carries no link; the person's delivery (here the terminal) does.
    expect(res.text).toBe('');
    const link = /enroll#([A-Za-z0-9_-]{43})/.exec(terminal.slice(printed).join(''));
    expect(link?.[1]).toBeDefined();
    expect(link?.[1]).not.toBe(invited.enrollmentToken);
    await expect(
      t.haven.people.users.enroll(invited.enrollmentToken, STAFF_PASSWORD),
    ).rejects.toThrow(/invalid or has expired/);
    await t.haven.people.users.enroll(link![1]!, STAFF_PASSWORD);
    expect((await entry(invited.userId))?.status).toBe('active');

    // Enrolled now (and any enrolled or unknown account): refused, audited, nothing sent.
    const after = terminal.length;
    const refusals = [
      await call(admin, 'POST', `/api/admin/users/${invited.userId}/resend-invitation`),
      await call(admin, 'POST', `/api/admin/users/${enrolled.user.userId}/resend-invitation`),
      await call(admin, 'POST', `/api/admin/users/${NO_SUCH_USER}/resend-invitation`),
    ];
    expect(refusals.map((r) => [r.status, errorCode(r)])).toEqual([
      [409, 'user-not-invited'],
      [409, 'user-not-invited'],
      [404, 'user-unknown'],
    ]);
    expect(terminal.length).toBe(after);
    const rows = (await auditFrom(seq)).filter((r) => r.actor_id === admin.user.userId);
    expect(
      rows
        .filter((r) => r.action === 'invitation-resend' || r.action === 'request-refused')
        .map((r) => [r.action, r.outcome]),
    ).toEqual([
      ['invitation-resend', 'success'],
      ['request-refused', expect.any(String)],
      ['request-refused', expect.any(String)],
      ['request-refused', expect.any(String)],
    ]);
    expect(detailOf(rows.find((r) => r.action === 'invitation-resend')!).subject).toBe(
      invited.userId,
    );
  });

  it('two racing resends both reach the person; the earlier link is dead', async () => {
    const admin = await person(['admin']);
    const invited = await t.haven.people.users.addUser({ email: newEmail(), roles: ['nurse'] });
    const printed = terminal.length;
    const answers = await Promise.all(
      [1, 2].map(() => call(admin, 'POST', `/api/admin/users/${invited.userId}/resend-invitation`)),
    );
    expect(answers.map((r) => r.status)).toEqual([204, 204]);
    const tokens = [
      ...terminal
        .slice(printed)
        .join('')
        .matchAll(/enroll#([A-Za-z0-9_-]{43})/g),
    ].map((m) => m[1]!);
    expect(tokens).toHaveLength(2);
    // Whatever the interleaving, the link sent before the resends no longer works. (Two racing
    // resends may both stay live: each goes to the same person only.)
    await expect(
      t.haven.people.users.enroll(invited.enrollmentToken, STAFF_PASSWORD),
    ).rejects.toThrow(/invalid or has expired/);
  });

  it('changes roles: the person signs in again and gets the new ones; audited', async () => {
    // Taking a role away is immediate; granting one waits for a second admin.
    const target = await person(['nurse', 'scheduler']);
    const admin = await person(['admin']);
    const seq = await head();
    const changed = await call(admin, 'POST', `/api/admin/users/${target.user.userId}/roles`, {
      roles: ['nurse', 'nurse'],
    });
    expect(changed.status).toBe(200);
    expect(changed.json()).toEqual({ status: 'applied', roles: ['nurse'] });
    // The old session carried the old privileges: it is gone.
    expect((await call(target, 'GET', '/api/session')).status).toBe(401);
    const again = { user: target.user, jar: await signIn(t, clock, target.user) };
    expect((await list(admin)).find((u) => u.id === target.user.userId)?.roles).toEqual(['nurse']);
    expect((await call(again, 'GET', '/api/session')).status).toBe(200);
    const rows = (await auditFrom(seq)).filter((r) => r.action === 'user-roles-change');
    expect(rows.map((r) => [r.actor_id, detailOf(r).subject])).toEqual([
      [admin.user.userId, target.user.userId],
    ]);
    // Unknown roles, no roles, a patient link without the patient role: refused, nothing changes.
    for (const roles of [['superuser'], []]) {
      const bad = await call(admin, 'POST', `/api/admin/users/${target.user.userId}/roles`, {
        roles,
      });
      expect(bad.status).toBe(400);
    }
    const patient = await t.request('POST', '/fhir/R4/Patient', {
      body: { resourceType: 'Patient', name: [{ family: 'Testpatient' }] },
    });
    const linked = await createUser(t, clock, {
      roles: ['patient'],
      patientId: (patient.json() as { id: string }).id,
    });
    const unlinked = await call(admin, 'POST', `/api/admin/users/${linked.userId}/roles`, {
      roles: ['nurse'],
    });
    expect([unlinked.status, errorCode(unlinked)]).toEqual([400, 'user-link-invalid']);
    expect((await entry(linked.userId))?.roles).toEqual(['patient']);
    // Other roles may not.
    const nurse = await person(['nurse']);
    const refused = await call(nurse, 'POST', `/api/admin/users/${linked.userId}/roles`, {
      roles: ['admin'],
    });
    expect(refused.status).toBe(403);
  });

  it('asks for a fresh re-authentication before every change, not for the list', async () => {
    const target = await createUser(t, clock, { totp: true, roles: ['nurse'] });
    const admin = await person(['admin']);
    for (const step of [3, 3]) {
      clock.advance(step * MINUTE);
      await list(admin); // also keeps the session from the idle logoff
    }
    const email = newEmail();
    const answers = [
      await call(admin, 'POST', '/api/admin/users', { email, roles: ['nurse'] }),
      ...(await each(ACTIONS, (a) => act(admin, a, target.userId))),
    ];
    expect(answers.map((r) => [r.status, errorCode(r)])).toEqual(
      Array.from({ length: 4 }, () => [401, 'reauth-required']),
    );
    expect((await list(admin)).some((u) => u.email === email)).toBe(false);
    expect(await entry(target.userId)).toMatchObject({ status: 'active', mfaConfigured: true });

    const reauth = await call(admin, 'POST', '/api/reauth', { password: admin.user.password });
    expect(reauth.status).toBe(204);
    expect((await act(admin, 'disable', target.userId)).status).toBe(204);
  });

  it('answers 404 for an unknown user and 400 for an invalid request, changing nothing', async () => {
    const admin = await person(['admin']);
    for (const a of ACTIONS) {
      const res = await act(admin, a, NO_SUCH_USER);
      expect([a, res.status, errorCode(res)]).toEqual([a, 404, 'user-unknown']);
    }
    const malformed = await act(admin, 'disable', 'not_an_id');
    expect([malformed.status, errorCode(malformed)]).toEqual([400, 'invalid-request']);

    const before = (await list(admin)).length;
    const taken = admin.user.email;
    const bodies: [unknown, number, string][] = [
      [{}, 400, 'invalid-request'],
      [{ email: newEmail(), roles: [] }, 400, 'invalid-request'],
      [{ email: newEmail(), roles: 'nurse' }, 400, 'invalid-request'],
      [{ email: newEmail(), roles: ['superuser'] }, 400, 'user-role-invalid'],
      [{ email: 'not-an-email', roles: ['nurse'] }, 400, 'user-email-invalid'],
      [{ email: newEmail(), roles: ['nurse'], patientId: 'p-1' }, 400, 'user-link-invalid'],
      [{ email: taken, roles: ['nurse'] }, 409, 'user-duplicate'],
    ];
    for (const [body, status, code] of bodies) {
      const res = await call(admin, 'POST', '/api/admin/users', body);
      expect([body, res.status, errorCode(res)]).toEqual([body, status, code]);
      expect(res.text).not.toContain(taken);
    }
    expect(await list(admin)).toHaveLength(before);
  });

  it('still reads no clinical record as an admin', async () => {
    const created = await t.request('POST', '/fhir/R4/Patient', {
      body: {
        resourceType: 'Patient',
        name: [{ family: 'Testpatient-admin', given: ['Synthetic'] }],
      },
    });
    expect(created.status).toBe(201);
    const patientId = (created.json() as { id: string }).id;
    const admin = await person(['admin']);
    expect((await fhirAs(t, admin, 'GET', `/fhir/R4/Patient/${patientId}`)).status).toBe(403);
    expect((await fhirAs(t, admin, 'GET', `/fhir/R4/Patient?_id=${patientId}`)).status).toBe(403);
    // The same read with the integration token works: the refusal is the role's, not a 404.
    expect((await t.request('GET', `/fhir/R4/Patient/${patientId}`)).status).toBe(200);
  });
});

/** One call after another (the audit order and the session's activity stay deterministic). */
async function each<T, R>(items: readonly T[], f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await f(item));
  return out;
}
