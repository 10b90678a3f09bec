import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntryFromRow, verifyTrail, type AuditEntry } from '../../src/audit/index.js';
import { canaryPatient } from '../support/canary.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestResponse, type TestServer } from '../support/haven-server.js';
import {
  api,
  createUser,
  loginPassword,
  MINUTE,
  signIn,
  TestClock,
  type Jar,
  type TestUser,
} from './auth/sign-in.js';

const UA = 'refusal-audit-test/1.0';
type Row = AuditEntry;

/**
 * Issue 13 item 7: every refusal is audited, exactly once, with the real outcome, a reason
 * code, the source address, the user agent and the request id; sign-in events carry the same
 * request facts; lists of grants and users are recorded; a count names the patients counted.
 */
describe.each(ENGINES)('every refusal is audited on %s', (engine) => {
  let t: TestServer;
  const clock = new TestClock();
  let patientId: string;
  let practitionerId: string;
  let nurse: TestUser;
  let nurseJar: Jar;
  let admin: TestUser;
  let adminJar: Jar;

  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn });
    patientId = String(
      (await t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(71) })).json().id,
    );
    practitionerId = String(
      (
        await t.request('POST', '/fhir/R4/Practitioner', {
          body: { resourceType: 'Practitioner', name: [{ family: 'Testnurse' }] },
        })
      ).json().id,
    );
    nurse = await createUser(t, clock, { totp: true, roles: ['nurse'], practitionerId });
    admin = await createUser(t, clock, { totp: true, roles: ['admin'] });
  }, 120_000);
  afterAll(async () => t.stop());

  const allEntries = async () =>
    (await t.haven.auditRepo.entries(0, 1_000_000)).map(auditEntryFromRow);
  /** Every entry the request wrote, found by the request id the response carries. */
  const entriesOf = async (res: TestResponse): Promise<Row[]> => {
    const requestId = String(res.headers['x-request-id']);
    return (await allEntries()).filter((r) => r.requestId === requestId);
  };
  const only = async (res: TestResponse): Promise<Row> => {
    const rows = await entriesOf(res);
    expect(rows, `entries of a ${res.status}: ${JSON.stringify(rows)}`).toHaveLength(1);
    const row = rows[0]!;
    // Request facts on every entry: address, user agent, request id.
    expect(row.ip).toMatch(/127\.0\.0\.1/);
    expect(row.userAgent).toBe(UA);
    expect(row.requestId).toBe(res.headers['x-request-id']);
    return row;
  };
  const detail = (row: Row) => JSON.parse(row.detail ?? '{}') as Record<string, unknown>;
  const fhir = (method: string, path: string, o: { token?: string | null; body?: unknown } = {}) =>
    t.request(method, path, {
      ...o,
      headers: { 'user-agent': UA, ...(o.body !== undefined && { 'if-match': 'W/"99"' }) },
    });
  const call = (
    method: string,
    path: string,
    c: Parameters<typeof api>[3] & { headers?: Record<string, string> } = {},
  ) => api(t, method, path, { ...c, headers: { 'user-agent': UA, ...c.headers } });
  const signedInNurse = async () => (nurseJar ??= await signIn(t, clock, nurse));
  const signedInAdmin = async () => (adminJar ??= await signIn(t, clock, admin));

  /** The refusal table: each kind → one request-refused entry with outcome and reason. */
  const refusals: {
    kind: string;
    send: () => Promise<TestResponse>;
    status: number;
    outcome: 'denied' | 'failure';
    reason: string;
    actor: 'anonymous' | 'client' | 'user';
  }[] = [
    {
      kind: 'CSRF refusal on /api (wrong X-CSRF-Token)',
      send: async () =>
        call('POST', '/api/logout', { jar: await signedInNurse(), csrf: 'x'.repeat(43) }),
      status: 403,
      outcome: 'denied',
      reason: 'csrf',
      actor: 'user',
    },
    {
      kind: 'CSRF refusal on /fhir (session cookie without the token)',
      send: async () =>
        t.request('POST', '/fhir/R4/Patient', {
          token: null,
          body: canaryPatient(72),
          headers: {
            'user-agent': UA,
            origin: new URL(t.server.url).origin,
            cookie: `__Host-haven_session=${(await signedInNurse()).session}`,
          },
        }),
      status: 403,
      outcome: 'denied',
      reason: 'forbidden',
      actor: 'user',
    },
    {
      kind: '401 without credentials on /fhir',
      send: () => fhir('GET', `/fhir/R4/Patient/${patientId}`, { token: null }),
      status: 401,
      outcome: 'denied',
      reason: 'login',
      actor: 'anonymous',
    },
    {
      kind: '401 without a session on /api',
      send: () => call('GET', '/api/session'),
      status: 401,
      outcome: 'denied',
      reason: 'session-required',
      actor: 'anonymous',
    },
    {
      kind: '400 on a PHI route (malformed search value)',
      send: () => fhir('GET', '/fhir/R4/Patient?birthdate=not-a-date'),
      status: 400,
      outcome: 'failure',
      reason: 'invalid',
      actor: 'client',
    },
    {
      kind: '400 on a PHI route (malformed JSON body)',
      send: () =>
        t.request('POST', '/fhir/R4/Patient', {
          raw: '{"resourceType":',
          headers: { 'user-agent': UA },
        }),
      status: 400,
      outcome: 'failure',
      reason: 'FST_ERR_CTP_INVALID_JSON_BODY',
      actor: 'anonymous',
    },
    {
      kind: '422 (a JSON Patch that would change the id)',
      send: () =>
        fhir('PATCH', `/fhir/R4/Patient/${patientId}`, {
          body: [{ op: 'replace', path: '/id', value: 'another' }],
        }),
      status: 422,
      outcome: 'failure',
      reason: 'processing',
      actor: 'client',
    },
    {
      kind: '412 (If-Match names another version)',
      send: () =>
        fhir('PUT', `/fhir/R4/Patient/${patientId}`, {
          body: { ...canaryPatient(71), id: patientId },
        }),
      status: 412,
      outcome: 'failure',
      reason: 'conflict',
      actor: 'client',
    },
    {
      kind: '409 (confirming a TOTP that was never set up)',
      send: async () => {
        const fresh = await createUser(t, clock, { roles: ['nurse'] });
        const jar = await loginPassword(t, fresh);
        return call('POST', '/api/mfa/totp/confirm', { jar, body: { code: '123456' } });
      },
      status: 409,
      outcome: 'failure',
      reason: 'totp-state',
      actor: 'user',
    },
    {
      kind: '404 unknown endpoint under /fhir',
      send: () => fhir('GET', '/fhir/R4/Patient/x/y/z'),
      status: 404,
      outcome: 'failure',
      reason: 'http-404',
      actor: 'anonymous',
    },
  ];

  it.each(refusals.map((r) => [r.kind, r] as const))('%s', async (_kind, r) => {
    const res = await r.send();
    expect(res.status).toBe(r.status);
    const row = await only(res);
    expect(row.action).toBe('request-refused');
    expect(row.outcome).toBe(r.outcome);
    expect(row.reason).toBe(r.reason);
    expect(row.actorType).toBe(r.actor);
    expect(detail(row)).toMatchObject({ status: r.status });
  });

  it('a successful sign-in records its steps with address, user agent and request id', async () => {
    const user = await createUser(t, clock, { roles: ['nurse'] });
    const res = await call('POST', '/api/login', {
      body: { email: user.email, password: user.password },
      origin: null,
      csrf: false,
    });
    expect(res.status).toBe(200);
    expect(await only(res)).toMatchObject({
      action: 'login-password',
      outcome: 'success',
      actorId: user.userId,
    });
  });

  it('an idle logoff is recorded when the expired session is presented', async () => {
    const user = await createUser(t, clock, { totp: true, roles: ['nurse'] });
    const jar = await signIn(t, clock, user);
    clock.advance(16 * MINUTE);
    const res = await call('GET', '/api/session', { jar });
    expect(res.status).toBe(401);
    expect(await only(res)).toMatchObject({
      action: 'logout',
      outcome: 'success',
      actorType: 'user',
      actorId: user.userId,
      reason: 'idle-timeout',
    });
    nurseJar = undefined as unknown as Jar; // the shared session may have idled out too
  });

  it('break-glass for an unknown patient is recorded as a failure', async () => {
    const jar = await signedInNurse();
    const res = await call('POST', '/api/break-glass', {
      jar,
      body: { patient: 'no-such-patient', reason: 'Synthetic emergency: test reason' },
    });
    expect(res.status).toBe(404);
    expect(await only(res)).toMatchObject({
      action: 'break-glass',
      outcome: 'failure',
      actorId: nurse.userId,
    });
  });

  it('listing break-glass grants is recorded', async () => {
    const res = await call('GET', '/api/break-glass', { jar: await signedInNurse() });
    expect(res.status).toBe(200);
    expect(await only(res)).toMatchObject({ action: 'break-glass-list', outcome: 'success' });
  });

  it('listing admin users is recorded', async () => {
    const res = await call('GET', '/api/admin/users', { jar: await signedInAdmin() });
    expect(res.status).toBe(200);
    expect(await only(res)).toMatchObject({
      action: 'user-list',
      outcome: 'success',
      actorId: admin.userId,
    });
  });

  it('a _summary=count search names the patients it counted', async () => {
    const res = await fhir('GET', `/fhir/R4/Patient?_id=${patientId}&_summary=count`);
    expect(res.status).toBe(200);
    expect(res.json().total).toBe(1);
    const row = await only(res);
    expect(row).toMatchObject({ action: 'search', patientId });
  });

  it('a sign-in that fails after the password step (500) is recorded as a failure, not a success', async () => {
    const user = await createUser(t, clock, { roles: ['nurse'] });
    const db = t.haven.database.db;
    await sql.raw('ALTER TABLE sessions RENAME TO sessions_away').execute(db);
    let res: TestResponse;
    try {
      res = await call('POST', '/api/login', {
        body: { email: user.email, password: user.password },
        origin: null,
        csrf: false,
      });
    } finally {
      await sql.raw('ALTER TABLE sessions_away RENAME TO sessions').execute(db);
    }
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await only(res)).toMatchObject({
      action: 'login-password',
      outcome: 'failure',
      reason: 'server-error',
      actorId: user.userId,
    });
  });

  it('when the refusal cannot be recorded, the answer is 503 (fail closed)', async () => {
    const db = t.haven.database.db;
    await sql
      .raw(
        engine === 'sqlite'
          ? `CREATE TRIGGER refusal_block BEFORE INSERT ON audit_entries BEGIN SELECT RAISE(ABORT, 'disk full'); END`
          : `CREATE TRIGGER refusal_block BEFORE INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION haven_append_only()`,
      )
      .execute(db);
    try {
      const res = await fhir('GET', `/fhir/R4/Patient/${patientId}`, { token: null });
      expect(res.status).toBe(503);
      expect(res.json().resourceType).toBe('OperationOutcome');
      const apiRes = await call('GET', '/api/session');
      expect(apiRes.status).toBe(503);
    } finally {
      await sql
        .raw(
          engine === 'sqlite'
            ? 'DROP TRIGGER refusal_block'
            : 'DROP TRIGGER refusal_block ON audit_entries',
        )
        .execute(db);
    }
  });

  // Found by the route fuzzing: a denied DELETE of `/Patient/%00` put a NUL into the entry's
  // resource id; PostgreSQL refused it and the whole batch failed (503).
  it('a NUL from the URL is recorded as U+FFFD, and the trail still verifies', async () => {
    const res = await t.request('DELETE', '/fhir/R4/Patient/%00', {
      token: null,
      headers: {
        'user-agent': UA,
        origin: new URL(t.server.url).origin,
        cookie: `__Host-haven_session=${(await signedInNurse()).session}`,
        'x-csrf-token': nurseJar.csrf!,
      },
    });
    expect(res.status).toBe(403);
    expect((await only(res)).resourceId).toBe('\uFFFD');
    expect((await verifyTrail(t.haven.auditRepo, [t.haven.auditKey.verifier])).ok).toBe(true);
  });

  it('parallel refusals each get exactly one entry', async () => {
    const responses = await Promise.all(
      Array.from({ length: 40 }, () =>
        fhir('GET', `/fhir/R4/Patient/${patientId}`, { token: null }),
      ),
    );
    const rows = await allEntries();
    for (const res of responses) {
      expect(res.status).toBe(401);
      expect(rows.filter((r) => r.requestId === res.headers['x-request-id'])).toHaveLength(1);
    }
  });

  // Last: it leaves the loopback address throttled.
  // Last: it leaves the loopback address throttled.
  it('a throttled sign-in (429) is recorded as denied, once', async () => {
    const victim = await createUser(t, clock, { roles: ['nurse'] });
    let res: TestResponse | undefined;
    for (let i = 0; i < 12; i++) {
      res = await call('POST', '/api/login', {
        body: { email: victim.email, password: 'wrong password here 1' },
        origin: null,
        csrf: false,
      });
      if (res.status === 429) break;
      // Each refused password is recorded by the sign-in itself (the fifth also as a lockout),
      // with the request facts, so the refusal hook adds nothing.
      const rows = await entriesOf(res);
      expect(rows.map((r) => r.action).sort()).toEqual(
        i === 4 ? ['lockout', 'login-password'] : ['login-password'],
      );
      expect(rows.every((r) => r.userAgent === UA && r.ip !== null)).toBe(true);
    }
    expect(res!.status).toBe(429);
    const row = await only(res!);
    expect(row).toMatchObject({
      action: 'request-refused',
      outcome: 'denied',
      reason: 'throttled',
    });
  });
});
