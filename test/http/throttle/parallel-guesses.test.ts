import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ipKey } from '../../../src/auth/index.js';
import { DEFAULT_LOCKOUT_THRESHOLD } from '../../../src/auth/users/index.js';
import type { PublicKeyCredentialRequestOptionsJSON } from '../../../src/auth/webauthn/index.js';
import { ENGINES } from '../../support/engines.js';
import { startTestServer, type TestServer } from '../../support/haven-server.js';
import {
  call,
  passkeyOptions,
  passwordStep,
  PUBLIC_URL,
  registerPasskey,
  signInWithTotp,
} from '../auth/passkeys.js';
import { createUser, TestClock, totpNow, type TestUser } from '../auth/sign-in.js';

/** PostgreSQL's pool sheds waiters past its bound with 503 (issue 13 item 14): refused, never checked. */
const SHED = 503;

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PARALLEL = 100;
const EVIL = 'https://evil.example';

/**
 * Issue 13, item 3: guesses fired in parallel must not outrun the throttles. 100 concurrent
 * wrong attempts at each factor, over HTTP; an attempt counts as evaluated when the audit trail
 * records it refused for being wrong (as opposed to refused for a lock, or throttled with 429
 * before anything was checked). At most the threshold may be evaluated.
 */
describe.each([...ENGINES, 'sqlite+redis'] as const)('parallel guesses on %s', (target) => {
  const engine = target === 'sqlite+redis' ? 'sqlite' : target;
  const redisUrl = target === 'sqlite+redis' ? REDIS_URL : undefined;
  let t: TestServer;
  const clock = new TestClock();
  const users: TestUser[] = [];
  const make = async () => {
    const u = await createUser(t, clock, { totp: true });
    users.push(u);
    return u;
  };
  /** Refusals of this user's attempts that were evaluated (checked and found wrong). */
  const evaluated = async (userId: string, action: string, reasons: string[]) =>
    (await t.haven.auditRepo.entries(0, 1_000_000)).filter(
      (r) =>
        r.action === action &&
        r.actor_id === userId &&
        r.outcome === 'failure' &&
        reasons.includes(r.reason ?? ''),
    ).length;
  const parallel = <T>(f: (i: number) => Promise<T>) =>
    Promise.all(Array.from({ length: PARALLEL }, (_, i) => f(i)));
  /** A 6-digit code that is none of the three the server accepts now. */
  const wrongCode = (u: TestUser) => {
    const accepted = [-30_000, 0, 30_000].map((d) =>
      totpNow(u.totpSecret!, { now: new Date(clock.now.getTime() + d) } as TestClock),
    );
    let n = 123456;
    while (accepted.includes(String(n).padStart(6, '0'))) n++;
    return String(n).padStart(6, '0');
  };

  beforeAll(async () => {
    t = await startTestServer(engine, {
      clock: clock.fn,
      env: {
        HAVEN_PUBLIC_URL: PUBLIC_URL,
        // 100 guesses in flight at once: above the default load-shedding bound (64), which
        // would answer some with 503 before the throttle is reached.
        HAVEN_MAX_IN_FLIGHT: '256',
        ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
      },
    });
  });
  beforeEach(async () => {
    await t.haven.people.throttle.unlock(ipKey('127.0.0.1'));
  });
  afterAll(async () => {
    for (const u of users) await t.haven.people.sessions.endAllForUser(u.userId);
    // In Redis the per-IP counter outlives the server: lift what this run left.
    await t.haven.people.throttle.unlock(ipKey('127.0.0.1'));
    await t.stop();
  });

  it(
    'passwords: 100 parallel wrong ones, at most the threshold checked',
    { timeout: 120_000 },
    async () => {
      const user = await make();
      const res = await parallel(() =>
        call(t, 'POST', '/api/login', {
          body: { email: user.email, password: 'not the password at all' },
          csrf: false,
        }),
      );
      const statuses = [...new Set(res.map((r) => r.status))];
      expect(statuses).toContain(429);
      expect(statuses.every((s) => s === 401 || s === 429 || s === SHED)).toBe(true);
      const checked = await evaluated(user.userId, 'login-password', ['wrong-password']);
      expect(checked).toBeGreaterThan(0);
      expect(checked).toBeLessThanOrEqual(DEFAULT_LOCKOUT_THRESHOLD);
    },
  );

  it('TOTP at sign-in: 100 parallel wrong codes, at most the threshold checked', async () => {
    const user = await make();
    const jar = await passwordStep(t, user);
    const code = wrongCode(user);
    const res = await parallel(() => call(t, 'POST', '/api/login/totp', { body: { code }, jar }));
    expect(res.every((r) => r.status === 401 || r.status === SHED)).toBe(true);
    const checked = await evaluated(user.userId, 'login-totp', ['wrong-or-replayed']);
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(DEFAULT_LOCKOUT_THRESHOLD);
  });

  it('TOTP at /api/reauth: 100 parallel wrong codes, at most the threshold checked', async () => {
    const user = await make();
    const jar = await signInWithTotp(t, clock, user);
    const code = wrongCode(user);
    const res = await parallel(() => call(t, 'POST', '/api/reauth', { body: { code }, jar }));
    expect(res.every((r) => r.status === 401 || r.status === SHED)).toBe(true);
    const checked = await evaluated(user.userId, 'login-totp', ['wrong-or-replayed']);
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(DEFAULT_LOCKOUT_THRESHOLD);
  });

  it('recovery codes: 100 parallel wrong ones, at most the threshold checked', async () => {
    const user = await make();
    const jar = await passwordStep(t, user);
    const res = await parallel((i) =>
      call(t, 'POST', '/api/login/recovery', {
        body: { code: `QQQQ-RRRR-SSSS-${String(1000 + i).slice(-4)}` },
        jar,
      }),
    );
    expect(res.every((r) => r.status === 401 || r.status === SHED)).toBe(true);
    const checked = await evaluated(user.userId, 'login-recovery-code', ['wrong-or-used']);
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(DEFAULT_LOCKOUT_THRESHOLD);
  });

  it('passkey as second factor: 100 parallel forged assertions, at most the threshold checked', async () => {
    const user = await make();
    const authenticator = await registerPasskey(t, await signInWithTotp(t, clock, user));
    const jar = await passwordStep(t, user);
    // Each client asks for a challenge and answers it with an assertion signed for another
    // origin: a real signature the server must check, and refuse.
    const res = await parallel(async () => {
      const opts = await call(t, 'POST', '/api/login/webauthn/options', { body: {}, jar });
      // Asking for a challenge can itself be shed under this load: nothing was checked then.
      if (opts.status === SHED) return opts;
      const { options } = opts.json() as { options: PublicKeyCredentialRequestOptionsJSON };
      return call(t, 'POST', '/api/login/webauthn/verify', {
        body: { response: authenticator.authenticate(options, { origin: EVIL }) },
        jar,
      });
    });
    expect(res.every((r) => r.status === 401 || r.status === SHED)).toBe(true);
    const rows = (await t.haven.auditRepo.entries(0, 1_000_000)).filter(
      (r) => r.action === 'login-webauthn' && r.actor_id === user.userId,
    );
    const checked = rows.filter((r) => r.reason !== 'locked').length;
    expect(rows.map((r) => r.reason)).toContain('invalid-response');
    expect(checked).toBeLessThanOrEqual(DEFAULT_LOCKOUT_THRESHOLD);
  });

  it('passwordless passkeys: 100 parallel forged assertions, at most the threshold checked', async () => {
    const user = await make();
    const authenticator = await registerPasskey(t, await signInWithTotp(t, clock, user));
    // One challenge per attempt, fetched first: every attempt could be verified on its own.
    const challenges: Awaited<ReturnType<typeof passkeyOptions>>[] = [];
    for (let i = 0; i < PARALLEL; i++) challenges.push(await passkeyOptions(t));
    const res = await parallel((i) =>
      call(t, 'POST', '/api/login/passkey/verify', {
        body: {
          handle: challenges[i]!.handle,
          response: authenticator.authenticate(challenges[i]!.options, { origin: EVIL }),
        },
        csrf: false,
      }),
    );
    const statuses = [...new Set(res.map((r) => r.status))];
    expect(statuses).toContain(429);
    expect(statuses.every((s) => s === 401 || s === 429 || s === SHED)).toBe(true);
    const checked = (await t.haven.auditRepo.entries(0, 1_000_000)).filter(
      (r) =>
        r.action === 'login-webauthn' &&
        r.reason === 'invalid-response' &&
        (r.detail ?? '').includes('passwordless'),
    ).length;
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(DEFAULT_LOCKOUT_THRESHOLD);
  });
});
