import crypto from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { ipKey } from '../../src/auth/index.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import {
  api,
  createUser,
  MINUTE,
  signIn,
  TestClock,
  type Jar,
  type TestUser,
} from './auth/sign-in.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Listed {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

/**
 * "Your sessions" (issue 15): a person sees their own live sessions by opaque handles, ends one
 * of them (never another person's: that is a 404 like any unknown handle), and keeps the current
 * one alive with POST /api/session/touch. Sessions in the database (both engines) and in Redis.
 */
describe.each([...ENGINES, 'sqlite+redis'] as const)('own sessions on %s', (target) => {
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
  const list = async (jar: Jar) => {
    const res = await api(t, 'GET', '/api/sessions', { jar });
    expect(res.status).toBe(200);
    return { res, sessions: (res.json() as { sessions: Listed[] }).sessions };
  };
  const end = (jar: Jar, handle: string) =>
    api(t, 'POST', `/api/sessions/${handle}/end`, { jar, body: {} });
  const auditRows = async () => t.haven.auditRepo.entries(0, 1_000_000);

  beforeAll(async () => {
    t = await startTestServer(engine, {
      clock: clock.fn,
      ...(redisUrl ? { env: { REDIS_URL: redisUrl } } : {}),
    });
  });
  beforeEach(async () => {
    await t.haven.people.throttle.unlock(ipKey('127.0.0.1'));
  });
  afterAll(async () => {
    for (const u of users) await t.haven.people.sessions.endAllForUser(u.userId);
    if (redisUrl) {
      const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
      for (const u of users) {
        expect(await redis.exists(`${t.config.redisPrefix}user-sessions:${u.userId}`)).toBe(0);
      }
      await redis.quit();
    }
    await t.stop();
  });

  it('lists both sessions of a person signed in twice, the current one marked, no secrets', async () => {
    const user = await make();
    const first = await signIn(t, clock, user);
    const second = await signIn(t, clock, user);
    const { res, sessions } = await list(first);
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    for (const s of sessions) {
      expect(s.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(s.ip).toBe('127.0.0.1');
      expect(Date.parse(s.createdAt)).not.toBeNaN();
    }
    // Seen from the other session, the other one is current.
    const fromSecond = (await list(second)).sessions;
    expect(fromSecond.find((s) => s.current)!.id).not.toBe(sessions.find((s) => s.current)!.id);
    // Neither cookie value, nor a hash of it, appears anywhere in the answer.
    for (const jar of [first, second]) {
      for (const secret of [jar.session!, jar.csrf!]) {
        const hash = crypto.createHash('sha256').update(secret, 'utf8').digest();
        for (const form of [secret, hash.toString('hex'), hash.toString('base64url')]) {
          expect(res.text).not.toContain(form);
          expect(res.text).not.toContain(form.slice(0, 16));
        }
      }
    }
  });

  it('ends the other session: its cookie gets 401, this one still works, audited', async () => {
    const user = await make();
    const first = await signIn(t, clock, user);
    const second = await signIn(t, clock, user);
    const other = (await list(first)).sessions.find((s) => !s.current)!;
    const res = await end(first, other.id);
    expect(res.status).toBe(204);
    expect((await api(t, 'GET', '/api/session', { jar: second })).status).toBe(401);
    expect((await api(t, 'GET', '/api/session', { jar: first })).status).toBe(200);
    expect((await list(first)).sessions.map((s) => s.current)).toEqual([true]);
    const entry = (await auditRows()).find((r) => r.request_id === res.headers['x-request-id']);
    expect(entry).toMatchObject({ action: 'logout', outcome: 'success', actor_id: user.userId });
    expect(JSON.parse(entry!.detail!)).toEqual({ ended: 'other-session' });
  });

  it("answers another person's handle exactly like an unknown one, ends nothing, audits it", async () => {
    const alice = await make();
    const bob = await make();
    const aliceJar = await signIn(t, clock, alice);
    const bobJar = await signIn(t, clock, bob);
    const aliceHandle = (await list(aliceJar)).sessions[0]!.id;
    const theirs = await end(bobJar, aliceHandle);
    const unknown = await end(bobJar, 'AAAAAAAAAAAAAAAAAAAAAA');
    expect(theirs.status).toBe(404);
    expect(unknown.status).toBe(404);
    const body = (r: typeof theirs) => r.text.replace(String(r.headers['x-request-id']), 'ID');
    expect(body(theirs)).toEqual(body(unknown));
    expect((await api(t, 'GET', '/api/session', { jar: aliceJar })).status).toBe(200);
    expect((await list(aliceJar)).sessions.map((s) => s.id)).toEqual([aliceHandle]);
    const entry = (await auditRows()).find((r) => r.request_id === theirs.headers['x-request-id']);
    expect(entry).toMatchObject({
      action: 'request-refused',
      outcome: 'failure', // how every 404 is recorded (src/http/refusal-audit.ts)
      actor_id: bob.userId,
      reason: 'not-found',
    });
  });

  it('ends a session once when asked in parallel: exactly one 204', async () => {
    const user = await make();
    const first = await signIn(t, clock, user);
    await signIn(t, clock, user);
    const other = (await list(first)).sessions.find((s) => !s.current)!;
    const answers = await Promise.all(Array.from({ length: 6 }, () => end(first, other.id)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([204, 404, 404, 404, 404, 404]);
    const ids = new Set(answers.map((a) => String(a.headers['x-request-id'])));
    const logouts = (await auditRows()).filter(
      (r) => ids.has(String(r.request_id)) && r.action === 'logout',
    );
    expect(logouts).toHaveLength(1);
  });

  it('touch counts as activity: it moves the idle expiry forward', async () => {
    const user = await make();
    const jar = await signIn(t, clock, user); // one idle minute behind
    clock.advance(12 * MINUTE);
    const idle = async () =>
      (
        (await api(t, 'GET', '/api/session', { jar })).json() as {
          idleExpiresInSeconds: number;
        }
      ).idleExpiresInSeconds;
    expect(await idle()).toBe(2 * 60);
    const touched = await api(t, 'POST', '/api/session/touch', { jar, body: {} });
    expect(touched.status).toBe(204);
    expect(await idle()).toBe(15 * 60);
    clock.advance(14 * MINUTE); // past where the untouched session would have ended
    expect((await api(t, 'GET', '/api/session', { jar })).status).toBe(200);
    clock.advance(MINUTE);
    expect((await api(t, 'GET', '/api/session', { jar })).status).toBe(401);
  });
});
