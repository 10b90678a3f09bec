import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ipKey } from '../../src/auth/index.js';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '../../src/auth/webauthn/index.js';
import { SoftwareAuthenticator } from '../auth/webauthn/software-authenticator.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import {
  call,
  passkeyOptions,
  passwordStep,
  PUBLIC_URL,
  registerPasskey,
  RP_ID,
  signInWithTotp,
} from './auth/passkeys.js';
import { createUser, MINUTE, TestClock, totpNow, type Jar } from './auth/sign-in.js';

const EVIL = 'https://evil.example';

describe.each(ENGINES)('passkey API on %s', (engine) => {
  let t: TestServer;
  const clock = new TestClock();
  const make = () => createUser(t, clock, { totp: true });
  const audit = async (action: string) =>
    (await t.haven.auditRepo.entries(0, 100_000)).filter((r) => r.action === action);
  const mfa = async (jar: Jar) =>
    ((await call(t, 'GET', '/api/session', { jar })).json() as { mfa: boolean }).mfa;
  const secondFactorOptions = async (jar: Jar) => {
    const res = await call(t, 'POST', '/api/login/webauthn/options', { body: {}, jar });
    expect(res.status).toBe(200);
    return (res.json() as { options: PublicKeyCredentialRequestOptionsJSON }).options;
  };

  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn, env: { HAVEN_PUBLIC_URL: PUBLIC_URL } });
  });
  beforeEach(async () => {
    await t.haven.people.throttle.unlock(ipKey('127.0.0.1'));
  });
  afterAll(async () => t.stop());

  it('registers a passkey from a fresh, fully signed-in session, audited as mfa-enroll', async () => {
    const user = await make();
    const jar = await signInWithTotp(t, clock, user);
    const opts = await call(t, 'POST', '/api/webauthn/register/options', { body: {}, jar });
    expect(opts.status).toBe(200);
    expect(opts.headers['cache-control']).toBe('no-store');
    const { options } = opts.json() as { options: PublicKeyCredentialCreationOptionsJSON };
    expect(options.rp).toEqual({ id: RP_ID, name: 'Haven' });
    const authenticator = new SoftwareAuthenticator(PUBLIC_URL);
    const res = await call(t, 'POST', '/api/webauthn/register/verify', {
      body: { response: authenticator.register(options) },
      jar,
    });
    expect(res.status).toBe(201);
    expect(res.json()).toMatchObject({ id: authenticator.id });

    const list = await call(t, 'GET', '/api/webauthn/credentials', { jar });
    expect(list.status).toBe(200);
    expect(list.json()).toEqual({
      credentials: [
        {
          id: authenticator.id,
          createdAt: clock.now.toISOString(),
          lastUsedAt: null,
          transports: ['internal', 'hybrid'],
        },
      ],
    });
    const enrolled = (await audit('mfa-enroll')).filter(
      (r) => r.actor_id === user.userId && r.outcome === 'success',
    );
    expect(enrolled).toHaveLength(2); // TOTP at creation, then the passkey
    expect(JSON.parse(enrolled[1]!.detail!)).toMatchObject({ method: 'webauthn' });

    // The same authenticator again: refused (it is excluded, and the id is taken).
    const again = await call(t, 'POST', '/api/webauthn/register/options', { body: {}, jar });
    const excluded = (again.json() as { options: PublicKeyCredentialCreationOptionsJSON }).options;
    expect(excluded.excludeCredentials?.map((c) => c.id)).toEqual([authenticator.id]);
    const dup = await call(t, 'POST', '/api/webauthn/register/verify', {
      body: { response: authenticator.register(excluded) },
      jar,
    });
    expect(dup.status).toBe(409);
  });

  it('refuses registration from an MFA-pending session or a stale one', async () => {
    const user = await make();
    const pending = await passwordStep(t, user);
    const res = await call(t, 'POST', '/api/webauthn/register/options', { body: {}, jar: pending });
    expect(res.status).toBe(403);
    expect(res.json().error).toMatchObject({ code: 'mfa-required' });
    const jar = await signInWithTotp(t, clock, user);
    clock.advance(6 * MINUTE);
    const stale = await call(t, 'POST', '/api/webauthn/register/options', { body: {}, jar });
    expect(stale.status).toBe(401);
    expect(stale.json().error).toMatchObject({ code: 'reauth-required' });
  });

  it('takes a passkey as the second factor after the password', async () => {
    const user = await make();
    const authenticator = await registerPasskey(t, await signInWithTotp(t, clock, user));
    const jar = await passwordStep(t, user);
    expect(await mfa(jar)).toBe(false);
    const options = await secondFactorOptions(jar);
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([authenticator.id]);
    const before = jar.session;
    const res = await call(t, 'POST', '/api/login/webauthn/verify', {
      body: { response: authenticator.authenticate(options) },
      jar,
    });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ mfa: true });
    expect(jar.session).not.toBe(before); // rotated on privilege change
    expect(await mfa(jar)).toBe(true);
    const rows = (await audit('login-webauthn')).filter((r) => r.actor_id === user.userId);
    expect(rows.map((r) => r.outcome)).toEqual(['success']);
  });

  it('signs in passwordless with a passkey: the session has MFA', async () => {
    const user = await make();
    const authenticator = await registerPasskey(t, await signInWithTotp(t, clock, user));
    const { options, handle } = await passkeyOptions(t);
    expect(handle).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(options.userVerification).toBe('required');
    const jar: Jar = {};
    const res = await call(t, 'POST', '/api/login/passkey/verify', {
      body: { handle, response: authenticator.authenticate(options) },
      jar,
      csrf: false,
    });
    expect(res.status).toBe(200);
    expect(jar.session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const session = await call(t, 'GET', '/api/session', { jar });
    expect(session.json()).toMatchObject({ userId: user.userId, mfa: true });
  });

  it('refuses a passkey without user verification for passwordless sign-in', async () => {
    const user = await make();
    const authenticator = await registerPasskey(t, await signInWithTotp(t, clock, user));
    const { options, handle } = await passkeyOptions(t);
    const res = await call(t, 'POST', '/api/login/passkey/verify', {
      body: { handle, response: authenticator.authenticate(options, { userVerified: false }) },
    });
    expect(res.status).toBe(401);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a response made for another origin', async () => {
    const user = await make();
    const full = await signInWithTotp(t, clock, user);
    // Registration signed on a phishing page.
    const opts = await call(t, 'POST', '/api/webauthn/register/options', { body: {}, jar: full });
    const { options: create } = opts.json() as { options: PublicKeyCredentialCreationOptionsJSON };
    const phished = new SoftwareAuthenticator(PUBLIC_URL);
    const reg = await call(t, 'POST', '/api/webauthn/register/verify', {
      body: { response: phished.register(create, { origin: EVIL }) },
      jar: full,
    });
    expect(reg.status).toBe(400);
    expect(reg.json().error).toMatchObject({ code: 'webauthn-refused' });

    const authenticator = await registerPasskey(t, full);
    const jar = await passwordStep(t, user);
    const options = await secondFactorOptions(jar);
    const res = await call(t, 'POST', '/api/login/webauthn/verify', {
      body: { response: authenticator.authenticate(options, { origin: EVIL }) },
      jar,
    });
    expect(res.status).toBe(401);
    expect(res.json().error).toMatchObject({ code: 'invalid-credentials' });
    expect(await mfa(jar)).toBe(false);
    const pw = await passkeyOptions(t);
    const passwordless = await call(t, 'POST', '/api/login/passkey/verify', {
      body: {
        handle: pw.handle,
        response: authenticator.authenticate(pw.options, { origin: EVIL }),
      },
    });
    expect(passwordless.status).toBe(401);
    const failures = (await audit('login-webauthn')).filter((r) => r.outcome === 'failure');
    expect(failures.map((r) => r.reason)).toContain('invalid-response');
  });

  it('refuses a replayed response', async () => {
    const user = await make();
    const authenticator = await registerPasskey(t, await signInWithTotp(t, clock, user));
    const { options, handle } = await passkeyOptions(t);
    const response = authenticator.authenticate(options);
    const first = await call(t, 'POST', '/api/login/passkey/verify', {
      body: { handle, response },
    });
    expect(first.status).toBe(200);
    const replay = await call(t, 'POST', '/api/login/passkey/verify', {
      body: { handle, response },
    });
    expect(replay.status).toBe(401);
    expect(replay.headers['set-cookie']).toBeUndefined();
    // Against a fresh challenge, as the second factor: refused too.
    const jar = await passwordStep(t, user);
    await secondFactorOptions(jar);
    const second = await call(t, 'POST', '/api/login/webauthn/verify', { body: { response }, jar });
    expect(second.status).toBe(401);
    expect(await mfa(jar)).toBe(false);
  });

  it('refuses a disabled user', async () => {
    const user = await make();
    const authenticator = await registerPasskey(t, await signInWithTotp(t, clock, user));
    await t.haven.people.users.disable(user.userId);
    const { options, handle } = await passkeyOptions(t);
    const res = await call(t, 'POST', '/api/login/passkey/verify', {
      body: { handle, response: authenticator.authenticate(options) },
    });
    expect(res.status).toBe(401);
    expect(res.json().error).toMatchObject({ code: 'invalid-credentials' });
    expect(res.headers['set-cookie']).toBeUndefined();
    const rows = (await audit('login-webauthn')).filter((r) => r.actor_id === user.userId);
    expect(rows.map((r) => [r.outcome, r.reason])).toEqual([['failure', 'account-unavailable']]);
  });

  it('throttles passwordless failures per IP', async () => {
    for (let i = 0; i < 5; i++) {
      const { handle } = await passkeyOptions(t);
      const res = await call(t, 'POST', '/api/login/passkey/verify', {
        body: { handle, response: { id: 'AAAA', type: 'public-key', response: {} } },
      });
      expect(res.status).toBe(401);
    }
    const { handle } = await passkeyOptions(t);
    const res = await call(t, 'POST', '/api/login/passkey/verify', {
      body: { handle, response: { id: 'AAAA', type: 'public-key', response: {} } },
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('enforces same-origin and CSRF on the state-changing routes', async () => {
    const user = await make();
    const jar = await signInWithTotp(t, clock, user);
    const noCsrf = await call(t, 'POST', '/api/webauthn/register/options', {
      body: {},
      jar,
      csrf: false,
    });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.json().error).toMatchObject({ code: 'csrf' });
    const wrongCsrf = await call(t, 'POST', '/api/webauthn/register/verify', {
      body: { response: {} },
      jar,
      csrf: 'A'.repeat(43),
    });
    expect(wrongCsrf.status).toBe(403);
    const crossSite = await call(t, 'POST', '/api/webauthn/register/options', {
      body: {},
      jar,
      origin: EVIL,
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.json().error).toMatchObject({ code: 'cross-site' });
    // The listening address is not the public origin either.
    const listening = await call(t, 'POST', '/api/login/passkey/options', {
      body: {},
      origin: new URL(t.server.url).origin,
    });
    expect(listening.status).toBe(403);
    for (const path of ['/api/login/passkey/options', '/api/login/passkey/verify']) {
      const evil = await call(t, 'POST', path, { body: {}, origin: EVIL });
      expect(evil.status).toBe(403);
      const fetchMeta = await call(t, 'POST', path, {
        body: {},
        headers: { 'sec-fetch-site': 'cross-site' },
      });
      expect(fetchMeta.status).toBe(403);
    }
    const pending = await passwordStep(t, user);
    for (const path of ['/api/login/webauthn/options', '/api/login/webauthn/verify']) {
      const res = await call(t, 'POST', path, { body: {}, jar: pending, csrf: false });
      expect(res.status).toBe(403);
      expect(res.json().error).toMatchObject({ code: 'csrf' });
    }
    const del = await call(t, 'DELETE', '/api/webauthn/credentials/AAAA', { jar, csrf: false });
    expect(del.status).toBe(403);
  });

  it('removes a passkey only after a recent re-authentication', async () => {
    const user = await make();
    const jar = await signInWithTotp(t, clock, user);
    const authenticator = await registerPasskey(t, jar);
    clock.advance(6 * MINUTE);
    const path = `/api/webauthn/credentials/${authenticator.id}`;
    const stale = await call(t, 'DELETE', path, { jar });
    expect(stale.status).toBe(401);
    expect(stale.json().error).toMatchObject({ code: 'reauth-required' });
    const reauth = await call(t, 'POST', '/api/reauth', {
      body: { code: totpNow(user.totpSecret!, clock) },
      jar,
    });
    expect(reauth.status).toBe(204);
    // Someone else's (or an unknown) id: not found, nothing removed.
    expect((await call(t, 'DELETE', '/api/webauthn/credentials/AAAA', { jar })).status).toBe(404);
    const del = await call(t, 'DELETE', path, { jar });
    expect(del.status).toBe(204);
    const list = await call(t, 'GET', '/api/webauthn/credentials', { jar });
    expect(list.json()).toEqual({ credentials: [] });
    expect((await call(t, 'DELETE', path, { jar })).status).toBe(404);
    // The passkey no longer signs in.
    const { options, handle } = await passkeyOptions(t);
    const res = await call(t, 'POST', '/api/login/passkey/verify', {
      body: { handle, response: authenticator.authenticate(options) },
    });
    expect(res.status).toBe(401);
  });

  it('never lets one user delete another user’s passkey', async () => {
    const owner = await make();
    const authenticator = await registerPasskey(t, await signInWithTotp(t, clock, owner));
    const other = await signInWithTotp(t, clock, await make());
    const del = await call(t, 'DELETE', `/api/webauthn/credentials/${authenticator.id}`, {
      jar: other,
    });
    expect(del.status).toBe(404);
    const { options, handle } = await passkeyOptions(t);
    const res = await call(t, 'POST', '/api/login/passkey/verify', {
      body: { handle, response: authenticator.authenticate(options) },
    });
    expect(res.status).toBe(200);
  });
});
