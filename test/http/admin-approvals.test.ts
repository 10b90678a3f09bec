import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVAL_TTL_MS } from '../../src/auth/users/index.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestResponse, type TestServer } from '../support/haven-server.js';
import type { SignedIn } from './access/clinic.js';
import { api, createUser, signIn, STAFF_PASSWORD, TestClock } from './auth/sign-in.js';

const TOKEN = /[A-Za-z0-9_-]{43}/;
let counter = 0;
const newEmail = () => `approval-${++counter}@clinic.example`;
const PRACTITIONER = 'prac-synthetic-7';

/**
 * Issue 13, item 4: an admin cannot obtain PHI access through account management. No change of
 * one's own roles; a PHI role or a record link waits for a second admin; the enrollment link
 * goes to the person (here: the server's terminal), never into an admin's HTTP response.
 */
describe.each(ENGINES)('two-person rule for admin changes on %s', (engine) => {
  let t: TestServer;
  const clock = new TestClock();
  const terminal: string[] = [];

  beforeAll(async () => {
    t = await startTestServer(engine, {
      clock: clock.fn,
      terminal: { write: (text: string) => terminal.push(text) },
    });
    // A link is made only to a stored record (issue 13 item 10).
    const stored = await t.request('PUT', `/fhir/R4/Practitioner/${PRACTITIONER}`, {
      body: { resourceType: 'Practitioner', id: PRACTITIONER, name: [{ family: 'Syntheticdoc' }] },
    });
    expect(stored.status).toBe(201);
    const patient = await t.request('PUT', '/fhir/R4/Patient/pat-synthetic-9', {
      body: { resourceType: 'Patient', id: 'pat-synthetic-9', name: [{ family: 'Testpatient' }] },
    });
    expect(patient.status).toBe(201);
  });
  afterAll(async () => t.stop());

  const person = async (roles: string[]): Promise<SignedIn> => {
    const user = await createUser(t, clock, { totp: true, roles });
    return { user, jar: await signIn(t, clock, user) };
  };
  /** Every change needs a re-authentication within 5 minutes: each call re-authenticates. */
  const call = async (who: SignedIn, method: string, path: string, body?: unknown) => {
    if (method === 'POST') {
      const re = await api(t, 'POST', '/api/reauth', {
        jar: who.jar,
        body: { password: who.user.password },
      });
      expect(re.status).toBe(204);
    }
    return api(t, method, path, { jar: who.jar, ...(body !== undefined && { body }) });
  };
  const errorCode = (res: TestResponse) =>
    (res.json() as { error?: { code?: string } }).error?.code;
  const audit = async (action: string) =>
    (await t.haven.auditRepo.entries(0, 1_000_000)).filter((r) => r.action === action);
  const rolesOf = async (id: string) =>
    (await t.haven.people.users.list()).find((u) => u.id === id)?.roles;
  const requestPhysician = async (admin: SignedIn, email = newEmail()) => {
    const res = await call(admin, 'POST', '/api/admin/users', {
      email,
      roles: ['physician'],
      practitionerId: PRACTITIONER,
    });
    expect(res.status).toBe(202);
    return { res, email, approvalId: (res.json() as { approvalId: string }).approvalId };
  };

  it('refuses an admin changing their own roles (403, audited)', async () => {
    const admin = await person(['admin']);
    for (const roles of [['admin', 'physician'], ['admin', 'auditor'], ['admin']]) {
      const res = await call(admin, 'POST', `/api/admin/users/${admin.user.userId}/roles`, {
        roles,
      });
      expect([res.status, errorCode(res)]).toEqual([403, 'self-role-change']);
    }
    expect(await rolesOf(admin.user.userId)).toEqual(['admin']);
    const refused = (await audit('user-roles-change')).filter(
      (r) => r.actor_id === admin.user.userId && r.outcome === 'failure',
    );
    expect(refused.map((r) => r.reason)).toEqual(['self-change', 'self-change', 'self-change']);
  });

  it('holds a physician account linked to a Practitioner for a second admin; the token never reaches an admin', async () => {
    const alice = await person(['admin']);
    const bob = await person(['admin']);
    const alertsBefore = t.haven.alerts.alerts.length;
    const { res, email, approvalId } = await requestPhysician(alice);
    expect(res.text).not.toMatch(TOKEN);
    expect(res.json()).toMatchObject({ status: 'pending' });
    expect((await t.haven.people.users.list()).some((u) => u.email === email)).toBe(false);

    // An alert with ids only: no email, no practitioner link.
    const raised = t.haven.alerts.alerts.slice(alertsBefore);
    expect(raised).toEqual([
      expect.objectContaining({
        rule: 'privilege-request',
        actorId: alice.user.userId,
        ref: approvalId,
      }),
    ]);
    expect(JSON.stringify(raised)).not.toContain(email);
    expect(JSON.stringify(raised)).not.toContain(PRACTITIONER);

    const listed = await call(bob, 'GET', '/api/admin/approvals');
    expect(listed.status).toBe(200);
    expect((listed.json() as { approvals: unknown[] }).approvals).toContainEqual(
      expect.objectContaining({
        id: approvalId,
        kind: 'user-create',
        roles: ['physician'],
        links: ['practitioner'],
        requestedBy: alice.user.userId,
      }),
    );
    expect(listed.text).not.toContain(email);

    // The requester cannot approve their own request.
    const own = await call(alice, 'POST', `/api/admin/approvals/${approvalId}/approve`);
    expect([own.status, errorCode(own)]).toEqual([403, 'approval-same-admin']);
    expect((await t.haven.people.users.list()).some((u) => u.email === email)).toBe(false);

    const printedBefore = terminal.length;
    const ok = await call(bob, 'POST', `/api/admin/approvals/${approvalId}/approve`);
    expect(ok.status).toBe(200);
    expect(ok.text).not.toMatch(TOKEN);
    const created = (await t.haven.people.users.list()).find((u) => u.email === email);
    expect(created).toMatchObject({ roles: ['physician'], practitionerId: PRACTITIONER });

    // The link went to the terminal, and it works for the person.
    const printed = terminal.slice(printedBefore).join('');
    expect(printed).toContain(created!.id);
    expect(printed).not.toContain(email);
    const token = /enroll#([A-Za-z0-9_-]{43})/.exec(printed)![1]!;
    const enroll = await api(t, 'POST', '/api/enroll', {
      body: { token, password: STAFF_PASSWORD },
      csrf: false,
    });
    expect(enroll.status).toBe(204);
    expect(t.logs.join('')).not.toContain(token);

    const approvals = await audit('privilege-approve');
    expect(
      approvals
        .filter((r) => JSON.parse(r.detail ?? '{}').approval === approvalId)
        .map((r) => [r.actor_id, r.outcome, r.reason]),
    ).toEqual([
      [alice.user.userId, 'failure', 'same-admin'],
      [bob.user.userId, 'success', null],
    ]);
    expect(t.haven.alerts.alerts.map((a) => a.rule)).toContain('privilege-granted');
  });

  it('gives a PHI role to an existing account only with a second admin; the subject cannot approve', async () => {
    const alice = await person(['admin']);
    const bob = await person(['admin']);
    // Bob asks for Alice to become a physician: Alice (the subject) may not approve it.
    const req = await call(bob, 'POST', `/api/admin/users/${alice.user.userId}/roles`, {
      roles: ['admin', 'physician'],
    });
    expect(req.status).toBe(202);
    const { approvalId } = req.json() as { approvalId: string };
    expect(await rolesOf(alice.user.userId)).toEqual(['admin']);
    const bySubject = await call(alice, 'POST', `/api/admin/approvals/${approvalId}/approve`);
    expect([bySubject.status, errorCode(bySubject)]).toEqual([403, 'approval-same-admin']);
    const carol = await person(['admin']);
    const ok = await call(carol, 'POST', `/api/admin/approvals/${approvalId}/approve`);
    expect(ok.status).toBe(200);
    expect(await rolesOf(alice.user.userId)).toEqual(['admin', 'physician']);
  });

  it('applies one request once under parallel approvals', async () => {
    const alice = await person(['admin']);
    const approvers = [await person(['admin']), await person(['admin']), await person(['admin'])];
    const { email, approvalId } = await requestPhysician(alice);
    const printedBefore = terminal.length;
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call(approvers[i % 3]!, 'POST', `/api/admin/approvals/${approvalId}/approve`),
      ),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, ...Array(11).fill(409)]);
    expect((await t.haven.people.users.list()).filter((u) => u.email === email)).toHaveLength(1);
    expect(
      terminal
        .slice(printedBefore)
        .join('')
        .match(/enroll#/g),
    ).toHaveLength(1);
  });

  it('refuses an expired request', async () => {
    const alice = await person(['admin']);
    const { email, approvalId } = await requestPhysician(alice);
    clock.advance(APPROVAL_TTL_MS);
    const bob = await person(['admin']);
    const late = await call(bob, 'POST', `/api/admin/approvals/${approvalId}/approve`);
    expect([late.status, errorCode(late)]).toEqual([409, 'approval-closed']);
    expect((await t.haven.people.users.list()).some((u) => u.email === email)).toBe(false);
    const listed = await call(bob, 'GET', '/api/admin/approvals');
    expect(listed.text).not.toContain(approvalId);
  });

  it('lets no admin mint a second approver alone: an admin account waits too', async () => {
    const alice = await person(['admin']);
    for (const [roles, link] of [
      [['admin'], {}],
      [['auditor'], {}],
      [['scheduler'], {}],
      [['patient'], { patientId: 'pat-synthetic-9' }],
    ] as const) {
      const held = await call(alice, 'POST', '/api/admin/users', {
        email: newEmail(),
        roles,
        ...link,
      });
      expect([roles, held.status]).toEqual([roles, 202]);
      expect(held.text).not.toMatch(TOKEN);
    }
    const nurse = await createUser(t, clock, { roles: ['nurse'] });
    const promote = await call(alice, 'POST', `/api/admin/users/${nurse.userId}/roles`, {
      roles: ['admin', 'nurse'],
    });
    expect(promote.status).toBe(202);
    expect(await rolesOf(nurse.userId)).toEqual(['nurse']);
  });

  it('answers 404 for an unknown request', async () => {
    const admin = await person(['admin']);
    const res = await call(
      admin,
      'POST',
      '/api/admin/approvals/00000000-0000-4000-8000-000000000000/approve',
    );
    expect([res.status, errorCode(res)]).toEqual([404, 'approval-unknown']);
  });
});
