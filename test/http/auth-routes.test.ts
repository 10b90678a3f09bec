import crypto from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { DatabaseSessionStore, ipKey, RedisSessionStore } from '../../src/auth/index.js';
import { SessionRepository } from '../../src/store/index.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { wrongTotpCode } from '../support/totp.js';
import {
  api,
  createUser,
  loginPassword,
  MINUTE,
  seenBodies,
  signIn,
  TestClock,
  totpNow,
  type Jar,
  type TestUser,
} from './auth/sign-in.js';

const EVIL = 'https://evil.example';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

// Every rule holds with sessions in the database (either engine) and in Redis (REDIS_URL).
describe.each([...ENGINES, 'sqlite+redis'] as const)('sign-in API on %s', (target) => {
  const engine = target === 'sqlite+redis' ? 'sqlite' : target;
  const redisUrl = target === 'sqlite+redis' ? REDIS_URL : undefined;
  let redis: Redis | undefined;
  let t: TestServer;
  const clock = new TestClock();
  const users: TestUser[] = [];
  const make = async (o: { totp?: boolean } = { totp: true }) => {
    const u = await createUser(t, clock, o);
    users.push(u);
    return u;
  };
  const auditActions = async () =>
    (await t.haven.auditRepo.entries(0, 100_000)).map((r) => r.action);
  /** The session as the server's store holds it (no expiry check): is it gone server-side? */
  const sessionStored = async (jar: Jar) =>
    (redis
      ? new RedisSessionStore(redis, t.config.redisPrefix)
      : new DatabaseSessionStore(new SessionRepository(t.haven.database.db))
    ).get(crypto.createHash('sha256').update(jar.session!, 'utf8').digest());

  beforeAll(async () => {
    t = await startTestServer(engine, {
      clock: clock.fn,
      ...(redisUrl ? { env: { REDIS_URL: redisUrl } } : {}),
    });
    if (redisUrl) redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  });
  // Every test signs in from 127.0.0.1: lift the per-IP lock tests leave behind (as an admin can).
  beforeEach(async () => {
    await t.haven.people.throttle.unlock(ipKey('127.0.0.1'));
  });
  afterAll(async () => {
    // Redis outlives the test server: leave none of this run's sessions behind.
    for (const u of users) await t.haven.people.sessions.endAllForUser(u.userId);
    if (redis) {
      for (const u of users) {
        expect(await redis.exists(`${t.config.redisPrefix}user-sessions:${u.userId}`)).toBe(0);
      }
      await redis.quit();
    }
    await t.stop();
  });

  it('signs in with password then TOTP; the session reports MFA and its time left', async () => {
    const user = await make();
    const jar: Jar = {};
    const login = await api(t, 'POST', '/api/login', {
      body: { email: user.email, password: user.password },
      jar,
      csrf: false,
    });
    expect(login.status).toBe(200);
    expect(login.json()).toEqual({ mfaRequired: true, mfaEnrolled: true });
    const cookies = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
    expect(cookies.find((c) => c.startsWith('__Host-haven_session='))).toMatch(
      /; Path=\/; Secure; HttpOnly; SameSite=Strict$/,
    );
    expect(jar.session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(jar.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const pending = await api(t, 'GET', '/api/session', { jar });
    expect(pending.status).toBe(200);
    expect(pending.json()).toMatchObject({ userId: user.userId, roles: ['nurse'], mfa: false });

    const before = jar.session;
    const totp = await api(t, 'POST', '/api/login/totp', {
      body: { code: totpNow(user.totpSecret!, clock) },
      jar,
    });
    expect(totp.status).toBe(200);
    expect(jar.session).not.toBe(before); // rotated on privilege change
    expect((await api(t, 'GET', '/api/session', { jar: { session: before } })).status).toBe(401);

    const res = await api(t, 'GET', '/api/session', { jar });
    expect(res.json()).toEqual({
      userId: user.userId,
      roles: ['nurse'],
      mfa: true,
      idleExpiresInSeconds: 15 * 60,
      absoluteExpiresInSeconds: 12 * 3600,
    });
    // In Redis, the session and the sign-in counters live under this installation's prefix only.
    if (redis) {
      expect(await redis.keys(`${t.config.redisPrefix}session:*`)).not.toHaveLength(0);
      expect(t.config.redisPrefix).not.toBe('haven:');
    }
  });

  it('keeps an MFA-pending session away from everything but MFA, session and logout', async () => {
    const user = await make();
    const jar = await loginPassword(t, user);
    const pw = await api(t, 'POST', '/api/password', {
      body: { current: user.password, next: 'another long passphrase 7' },
      jar,
    });
    expect(pw.status).toBe(403);
    expect(pw.json().error).toMatchObject({ code: 'mfa-required' });
    const reauth = await api(t, 'POST', '/api/reauth', { body: { code: '000000' }, jar });
    expect(reauth.status).toBe(403);
    // Sessions never authorize FHIR: only bearer tokens do.
    const fhir = await t.request('GET', '/fhir/R4/Patient', {
      token: null,
      headers: { cookie: `__Host-haven_session=${jar.session}` },
    });
    expect(fhir.status).toBe(401);
    expect((await api(t, 'POST', '/api/logout', { jar })).status).toBe(204);
  });

  it('enrolls a first password through the API: policy reasons, generic bad token', async () => {
    const email = `enrol-${crypto.randomUUID()}@clinic.example`;
    const added = await t.haven.people.users.addUser({ email, roles: ['physician'] });
    const weak = await api(t, 'POST', '/api/enroll', {
      body: { token: added.enrollmentToken, password: 'password1234' },
    });
    expect(weak.status).toBe(400);
    expect(weak.json().error).toMatchObject({ code: 'password-policy' });
    expect((weak.json().error as { reasons: string[] }).reasons.length).toBeGreaterThan(0);
    const bad = await api(t, 'POST', '/api/enroll', {
      body: { token: 'A'.repeat(43), password: 'saffron meadow kettle 9' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'enrollment-token-invalid' });
    const ok = await api(t, 'POST', '/api/enroll', {
      body: { token: added.enrollmentToken, password: 'saffron meadow kettle 9' },
    });
    expect(ok.status).toBe(204);
    const user = { userId: added.userId, email, password: 'saffron meadow kettle 9' };
    users.push(user);
    const jar: Jar = {};
    const login = await api(t, 'POST', '/api/login', {
      body: { email, password: user.password },
      jar,
      csrf: false,
    });
    expect(login.json()).toEqual({ mfaRequired: true, mfaEnrolled: false });
    // Used token: the same generic refusal.
    const again = await api(t, 'POST', '/api/enroll', {
      body: { token: added.enrollmentToken, password: 'saffron meadow kettle 9' },
    });
    expect(again.json().error).toMatchObject({ code: 'enrollment-token-invalid' });
  });

  it('enrolls TOTP from a password-only session, shows recovery codes, and upgrades it', async () => {
    const user = await make({ totp: false });
    const jar = await loginPassword(t, user);
    const setup = await api(t, 'POST', '/api/mfa/totp/setup', { jar });
    expect(setup.status).toBe(200);
    const { otpauthUri, qrSvg, secret } = setup.json() as Record<string, string>;
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(qrSvg).toContain('<svg');
    expect(setup.headers['cache-control']).toBe('no-store');
    const secretFromUri = new URL(otpauthUri!).searchParams.get('secret')!;
    expect(secretFromUri).toBe(secret);
    const wrongCode = wrongTotpCode(secretFromUri, clock.now);
    expect(
      (await api(t, 'POST', '/api/mfa/totp/confirm', { body: { code: wrongCode }, jar })).status,
    ).toBe(401);
    const before = jar.session;
    const confirm = await api(t, 'POST', '/api/mfa/totp/confirm', {
      body: { code: totpNow(secretFromUri, clock) },
      jar,
    });
    expect(confirm.status).toBe(200);
    expect((confirm.json() as { recoveryCodes: string[] }).recoveryCodes).toHaveLength(10);
    expect(jar.session).not.toBe(before);
    expect((await api(t, 'GET', '/api/session', { jar })).json()).toMatchObject({ mfa: true });
    // Replacing an active TOTP is an MFA reset: refused, and never without a fresh session.
    expect((await api(t, 'POST', '/api/mfa/totp/setup', { jar })).status).toBe(409);
    clock.advance(6 * MINUTE);
    const stale = await api(t, 'POST', '/api/mfa/totp/setup', { jar });
    expect(stale.status).toBe(401);
    expect(stale.json().error).toMatchObject({ code: 'reauth-required' });
    // A recovery code signs in instead of a TOTP code, once.
    user.totpSecret = secretFromUri;
    const code = (confirm.json() as { recoveryCodes: string[] }).recoveryCodes[0]!;
    const j2 = await loginPassword(t, user);
    const rec = await api(t, 'POST', '/api/login/recovery', { body: { code }, jar: j2 });
    expect(rec.status).toBe(200);
    expect(rec.json()).toEqual({ mfa: true, remainingRecoveryCodes: 9 });
    const j3 = await loginPassword(t, user);
    expect((await api(t, 'POST', '/api/login/recovery', { body: { code }, jar: j3 })).status).toBe(
      401,
    );
  });

  it('answers a wrong password and an unknown user identically', async () => {
    const user = await make();
    const wrong = await api(t, 'POST', '/api/login', {
      body: { email: user.email, password: 'not the password at all' },
    });
    const unknown = await api(t, 'POST', '/api/login', {
      body: { email: `nobody-${crypto.randomUUID()}@clinic.example`, password: 'whatever it is' },
    });
    const strip = (r: typeof wrong): { status: number; error: Record<string, unknown> } => {
      const { requestId: _id, ...rest } = (r.json() as { error: Record<string, unknown> }).error;
      return { status: r.status, error: rest };
    };
    expect(wrong.status).toBe(401);
    expect(strip(wrong)).toEqual(strip(unknown));
    expect(strip(wrong).error.code).toBe('invalid-credentials');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect(unknown.headers['set-cookie']).toBeUndefined();
  });

  it('locks after repeated failures: 429 with Retry-After, the password not even checked', async () => {
    const user = await make();
    for (let i = 0; i < 5; i++) {
      const r = await api(t, 'POST', '/api/login', {
        body: { email: user.email, password: `wrong guess number ${i}` },
      });
      expect(r.status).toBe(401);
    }
    const verifiedBefore = (await auditActions()).filter((a) => a === 'login-password').length;
    const locked = await api(t, 'POST', '/api/login', {
      body: { email: user.email, password: user.password },
    });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.json().error).toMatchObject({ code: 'throttled' });
    expect(locked.headers['set-cookie']).toBeUndefined();
    const verifiedAfter = (await auditActions()).filter((a) => a === 'login-password').length;
    expect(verifiedAfter).toBe(verifiedBefore); // no verification happened, not even a dummy one
    // The lock ends by time (the throttle's and the account's own).
    clock.advance(5 * MINUTE);
    await t.haven.people.throttle.unlock(ipKey('127.0.0.1'));
    const jar = await loginPassword(t, user);
    expect(jar.session).toBeDefined();
  });

  it('refuses a replayed TOTP code', async () => {
    const user = await make();
    const code = totpNow(user.totpSecret!, clock);
    const j1 = await loginPassword(t, user);
    expect((await api(t, 'POST', '/api/login/totp', { body: { code }, jar: j1 })).status).toBe(200);
    const j2 = await loginPassword(t, user);
    const replay = await api(t, 'POST', '/api/login/totp', { body: { code }, jar: j2 });
    expect(replay.status).toBe(401);
    expect(replay.json().error).toMatchObject({ code: 'invalid-code' });
    expect((await api(t, 'GET', '/api/session', { jar: j2 })).json()).toMatchObject({
      mfa: false,
    });
    clock.advance(MINUTE);
  });

  it('logs off after 15 idle minutes; the session is gone server-side', async () => {
    const user = await make();
    const jar = await signIn(t, clock, user); // leaves one idle minute behind
    expect(await sessionStored(jar)).toBeDefined();
    // Polling /api/session does not count as activity; a session-cookie request does.
    clock.advance(13 * MINUTE);
    const poll = await api(t, 'GET', '/api/session', { jar });
    expect(poll.json()).toMatchObject({ idleExpiresInSeconds: 60 });
    clock.advance(MINUTE - 1000);
    expect((await api(t, 'GET', '/api/session', { jar })).status).toBe(200);
    clock.advance(1000); // the 16th minute begins
    const gone = await api(t, 'GET', '/api/session', { jar });
    expect(gone.status).toBe(401);
    expect(gone.json().error).toMatchObject({ code: 'session-required' });
    expect(await sessionStored(jar)).toBeUndefined();
  });

  it('activity keeps a session alive, but never past its absolute lifetime', async () => {
    const user = await make();
    const jar = await signIn(t, clock, user);
    // Activity every 10 minutes (a request that records it, as any page of the app would).
    for (let elapsed = 1; elapsed + 10 < 12 * 60; elapsed += 10) {
      clock.advance(10 * MINUTE);
      expect(await t.haven.people.sessions.resolve(jar.session)).toBeDefined();
    }
    const late = await api(t, 'GET', '/api/session', { jar });
    expect(late.status).toBe(200);
    const left = (late.json() as { absoluteExpiresInSeconds: number }).absoluteExpiresInSeconds;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(10 * 60);
    clock.advance(left * 1000);
    expect((await api(t, 'GET', '/api/session', { jar })).status).toBe(401);
    expect(await sessionStored(jar)).toBeUndefined();
  });

  it('refuses a stolen cookie after logout, and audits the logout', async () => {
    const user = await make();
    const jar = await signIn(t, clock, user);
    const stolen = { ...jar };
    const out = await api(t, 'POST', '/api/logout', { jar });
    expect(out.status).toBe(204);
    const cleared = ([] as string[]).concat(out.headers['set-cookie'] ?? []);
    expect(cleared.every((c) => c.includes('Max-Age=0'))).toBe(true);
    expect(jar.session).toBeUndefined();
    expect((await api(t, 'GET', '/api/session', { jar: stolen })).status).toBe(401);
    expect(
      (
        await api(t, 'POST', '/api/password', {
          body: { current: user.password, next: 'stolen cookie passphrase' },
          jar: stolen,
        })
      ).status,
    ).toBe(401);
    const rows = await t.haven.auditRepo.entries(0, 100_000);
    expect(rows.some((r) => r.action === 'logout' && r.actor_id === user.userId)).toBe(true);
  });

  it('refuses cross-site requests: login CSRF and a cross-site password change', async () => {
    const user = await make();
    const sessionsBefore = (await auditActions()).length;
    const login = await api(t, 'POST', '/api/login', {
      body: { email: user.email, password: user.password },
      origin: EVIL,
    });
    expect(login.status).toBe(403);
    expect(login.json().error).toMatchObject({ code: 'cross-site' });
    expect(login.headers['set-cookie']).toBeUndefined();
    // The password was not checked: the only entry is the refusal itself (issue 13 item 7).
    expect((await auditActions()).slice(sessionsBefore)).toEqual(['request-refused']);
    const fetchMeta = await api(t, 'POST', '/api/login', {
      body: { email: user.email, password: user.password },
      origin: null,
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(fetchMeta.status).toBe(403);

    const jar = await signIn(t, clock, user);
    const pw = await api(t, 'POST', '/api/password', {
      body: { current: user.password, next: 'cross site passphrase 1' },
      jar,
      origin: EVIL,
    });
    expect(pw.status).toBe(403);
    expect(pw.json().error).toMatchObject({ code: 'cross-site' });
    expect((await api(t, 'GET', '/api/session', { jar })).status).toBe(200);
  });

  it('refuses a missing or wrong CSRF token on state-changing session requests', async () => {
    const user = await make();
    const jar = await signIn(t, clock, user);
    const next = { current: user.password, next: 'csrf probe passphrase 22' };
    const missing = await api(t, 'POST', '/api/password', { body: next, jar, csrf: false });
    expect(missing.status).toBe(403);
    expect(missing.json().error).toMatchObject({ code: 'csrf' });
    const wrong = await api(t, 'POST', '/api/password', {
      body: next,
      jar,
      csrf: crypto.randomBytes(32).toString('base64url'),
    });
    expect(wrong.status).toBe(403);
    expect((await api(t, 'POST', '/api/logout', { jar, csrf: false })).status).toBe(403);
    // Another session's token does not fit this one.
    const other = await signIn(t, clock, user);
    expect((await api(t, 'POST', '/api/logout', { jar, csrf: other.csrf! })).status).toBe(403);
    expect((await api(t, 'GET', '/api/session', { jar })).status).toBe(200);
  });

  it('changes the password only after recent re-auth, and revokes every session', async () => {
    const user = await make();
    const jar = await signIn(t, clock, user);
    const other = await signIn(t, clock, user);
    clock.advance(6 * MINUTE);
    const next = 'a brand new passphrase 31';
    const stale = await api(t, 'POST', '/api/password', {
      body: { current: user.password, next },
      jar,
    });
    expect(stale.status).toBe(401);
    expect(stale.json().error).toMatchObject({ code: 'reauth-required' });
    const pwReauth = await api(t, 'POST', '/api/reauth', { body: { password: 'x' }, jar });
    expect(pwReauth.status).toBe(401);
    expect(pwReauth.json().error).toMatchObject({ code: 'invalid-credentials' });
    const byPassword = await api(t, 'POST', '/api/reauth', {
      body: { password: user.password },
      jar,
    });
    expect(byPassword.status).toBe(204);
    const wrongCode = wrongTotpCode(user.totpSecret!, clock.now);
    const byWrongCode = await api(t, 'POST', '/api/reauth', { body: { code: wrongCode }, jar });
    expect(byWrongCode.status).toBe(401);
    expect(byWrongCode.json().error).toMatchObject({ code: 'invalid-code' });
    const reauth = await api(t, 'POST', '/api/reauth', {
      body: { code: totpNow(user.totpSecret!, clock) },
      jar,
    });
    expect(reauth.status).toBe(204);
    const weak = await api(t, 'POST', '/api/password', {
      body: { current: user.password, next: 'password1234' },
      jar,
    });
    expect(weak.status).toBe(400);
    expect(weak.json().error).toMatchObject({ code: 'password-policy' });
    const wrong = await api(t, 'POST', '/api/password', {
      body: { current: 'not my current password', next },
      jar,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json().error).toMatchObject({ code: 'invalid-credentials' });
    const oldJar = { ...jar };
    const ok = await api(t, 'POST', '/api/password', {
      body: { current: user.password, next },
      jar,
    });
    expect(ok.status).toBe(204);
    expect(jar.session).toBeUndefined();
    expect((await api(t, 'GET', '/api/session', { jar: oldJar })).status).toBe(401);
    expect((await api(t, 'GET', '/api/session', { jar: other })).status).toBe(401);
    const old = await api(t, 'POST', '/api/login', {
      body: { email: user.email, password: user.password },
    });
    expect(old.status).toBe(401);
    user.password = next;
    expect((await loginPassword(t, user)).session).toBeDefined();
  });

  it('never puts an email or a password in a response body or the server log', () => {
    expect(seenBodies.length).toBeGreaterThan(20);
    const secrets = [
      ...users.flatMap((u) => [u.email, u.password]),
      'not the password at all',
      'a brand new passphrase 31',
    ];
    for (const { path, text } of seenBodies) {
      for (const s of secrets) {
        // The TOTP setup URI names the account for the person's own authenticator app.
        if (path === '/api/mfa/totp/setup' && s.includes('@')) continue;
        expect(text, path).not.toContain(s);
        expect(text, path).not.toContain(encodeURIComponent(s));
      }
    }
    const log = t.logs.join('');
    for (const s of secrets) expect(log).not.toContain(s);
    expect(log).not.toMatch(/@clinic\.example/);
  });
});
