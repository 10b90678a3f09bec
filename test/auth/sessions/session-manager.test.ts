import crypto from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SessionManager, type SessionStore } from '../../../src/auth/sessions/index.js';
import { BACKENDS, openBackend, type SessionBackend } from './backends.js';

const MINUTE = 60_000;
const T0 = new Date('2030-03-01T08:00:00.000Z');
const hash = (s: string) => crypto.createHash('sha256').update(s).digest();

describe.each(BACKENDS)('sessions in %s', (backend) => {
  let b: SessionBackend;
  let store: SessionStore;
  let now: Date;
  let sessions: SessionManager;
  const at = (ms: number) => {
    now = new Date(T0.getTime() + ms);
  };

  beforeAll(async () => {
    b = await openBackend(backend);
    store = b.store;
  });
  afterAll(async () => {
    await b.close();
  });
  beforeEach(() => {
    now = T0;
    sessions = new SessionManager({ store, clock: () => now });
  });

  const start = (userId = crypto.randomUUID(), mfaSatisfied = true) =>
    sessions.start({ userId, ip: '203.0.113.7', userAgent: 'test', mfaSatisfied });

  it('issues a 256-bit opaque id in a __Host- cookie: Secure, HttpOnly, SameSite=Strict, no Domain', async () => {
    const s = await start();
    expect(s.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(s.sessionId, 'base64url')).toHaveLength(32);
    expect(s.cookie).toBe(
      `__Host-haven_session=${s.sessionId}; Path=/; Secure; HttpOnly; SameSite=Strict`,
    );
    expect(s.cookie).not.toMatch(/Domain/i);
    expect(s.csrfCookie).toBe(`__Host-haven_csrf=${s.csrfToken}; Path=/; Secure; SameSite=Strict`);
    expect(s.csrfToken).not.toBe(s.sessionId);
  });

  it('keeps a session alive at the 14th minute of inactivity and extends it', async () => {
    const s = await start();
    at(14 * MINUTE);
    expect((await sessions.resolve(s.sessionId))?.userId).toBe(s.session.userId);
    expect((await store.get(hash(s.sessionId)))?.lastSeenAt).toEqual(now);
    at(28 * MINUTE);
    expect(await sessions.resolve(s.sessionId)).toBeDefined();
  });

  it('logs off after 15 minutes idle: the 16th minute resolves nothing and the session is gone server-side', async () => {
    const s = await start();
    at(15 * MINUTE + 1000);
    expect(await sessions.resolve(s.sessionId)).toBeUndefined();
    expect(await store.get(hash(s.sessionId))).toBeUndefined();
    at(14 * MINUTE); // even if the clock (or an attacker) goes back, the session stays gone
    expect(await sessions.resolve(s.sessionId)).toBeUndefined();
  });

  it('writes activity at most every 30 s and never lets idle exceed the limit', async () => {
    const s = await start();
    at(20_000);
    await sessions.resolve(s.sessionId);
    expect((await store.get(hash(s.sessionId)))?.lastSeenAt).toEqual(T0);
    // Real last activity was at 20 s, stored is 0 s: logoff comes early (at 15 min), never late.
    at(15 * MINUTE);
    expect(await sessions.resolve(s.sessionId)).toBeUndefined();
  });

  it('does not extend the session when resolved with touch: false (polling)', async () => {
    const s = await start();
    at(10 * MINUTE);
    const live = await sessions.resolve(s.sessionId, { touch: false });
    expect(live && sessions.describe(live)).toMatchObject({
      idleExpiresInSeconds: 300,
      absoluteExpiresInSeconds: 12 * 3600 - 600,
      mfa: true,
    });
    at(15 * MINUTE);
    expect(await sessions.resolve(s.sessionId)).toBeUndefined();
  });

  it('enforces the 12-hour absolute lifetime even with constant activity', async () => {
    const s = await start();
    for (let m = 10; m < 12 * 60; m += 10) {
      at(m * MINUTE);
      expect(await sessions.resolve(s.sessionId)).toBeDefined();
    }
    at(12 * 60 * MINUTE);
    expect(await sessions.resolve(s.sessionId)).toBeUndefined();
    expect(await store.get(hash(s.sessionId))).toBeUndefined();
  });

  it('rotation gives a new id, kills the old one and keeps the absolute end', async () => {
    const s = await start();
    at(5 * MINUTE);
    const r = await sessions.rotate(s.sessionId);
    expect(r?.sessionId).toBeDefined();
    expect(r?.sessionId).not.toBe(s.sessionId);
    expect(await sessions.resolve(s.sessionId)).toBeUndefined();
    expect(await store.get(hash(s.sessionId))).toBeUndefined();
    const live = await sessions.resolve(r?.sessionId);
    expect(live?.createdAt).toEqual(T0);
    expect(live?.expiresAt).toEqual(s.session.expiresAt);
    expect(live && sessions.checkCsrf(live, s.csrfToken)).toBe(false);
    expect(live && sessions.checkCsrf(live, r?.csrfToken)).toBe(true);
    expect(await sessions.rotate(s.sessionId)).toBeUndefined();
  });

  it('refuses a stolen id after logout', async () => {
    const s = await start();
    expect(await sessions.end(s.sessionId)).toBe(true);
    expect(await sessions.resolve(s.sessionId)).toBeUndefined();
    expect(await sessions.rotate(s.sessionId)).toBeUndefined();
    expect(await sessions.markMfa(s.sessionId)).toBe(false);
    expect(await store.get(hash(s.sessionId))).toBeUndefined();
  });

  it('ends every session of one user and only that user', async () => {
    const alice = crypto.randomUUID();
    const bob = crypto.randomUUID();
    const a1 = await start(alice);
    const a2 = await start(alice);
    const b1 = await start(bob);
    expect(await sessions.endAllForUser(alice)).toBe(2);
    expect(await sessions.resolve(a1.sessionId)).toBeUndefined();
    expect(await sessions.resolve(a2.sessionId)).toBeUndefined();
    expect(await sessions.resolve(b1.sessionId)).toBeDefined();
    expect(await sessions.endAllForUser(alice)).toBe(0);
  });

  it("lists one person's live sessions by handle and ends one only for its owner", async () => {
    const alice = crypto.randomUUID();
    const bob = crypto.randomUUID();
    const stale = await start(alice);
    at(10 * MINUTE);
    const a1 = await start(alice);
    const a2 = await start(alice);
    const b1 = await start(bob);
    at(16 * MINUTE); // `stale` has been idle past the limit; the others have not
    const listed = await sessions.listForUser(alice);
    expect(listed.map((x) => x.idHash.toString('hex')).sort()).toEqual(
      [a1, a2].map((x) => hash(x.sessionId).toString('hex')).sort(),
    );
    const handles = listed.map((x) => sessions.handleOf(x));
    for (const h of handles) {
      expect(h).toMatch(/^[A-Za-z0-9_-]{22}$/);
      for (const x of [a1, a2, stale])
        expect(hash(x.sessionId).toString('base64url')).not.toContain(h);
    }
    // Bob cannot end Alice's session by its handle; Alice can, once.
    expect(await sessions.endByHandle(bob, handles[0]!)).toBeUndefined();
    expect(await sessions.listForUser(alice)).toHaveLength(2);
    expect(await sessions.endByHandle(alice, handles[0]!)).toBeDefined();
    expect(await sessions.endByHandle(alice, handles[0]!)).toBeUndefined();
    expect(await sessions.listForUser(alice)).toHaveLength(1);
    expect(await sessions.resolve(b1.sessionId)).toBeDefined();
    await sessions.endAllForUser(alice);
    await sessions.endAllForUser(bob);
  });

  it('stores no session id or CSRF token a dump could replay', async () => {
    const s = await start();
    const r = await sessions.rotate(s.sessionId);
    const dump = await b.dump();
    expect(dump).toContain(hash(r!.sessionId).toString('hex').slice(0, 16));
    for (const secret of [s.sessionId, s.csrfToken, r!.sessionId, r!.csrfToken]) {
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(Buffer.from(secret, 'base64url').toString('hex'));
    }
  });

  it('accepts the right CSRF token and refuses a wrong or missing one', async () => {
    const s = await start();
    const other = await start();
    expect(sessions.checkCsrf(s.session, s.csrfToken)).toBe(true);
    expect(sessions.checkCsrf(s.session, other.csrfToken)).toBe(false);
    expect(sessions.checkCsrf(s.session, s.sessionId)).toBe(false);
    expect(sessions.checkCsrf(s.session, undefined)).toBe(false);
    expect(sessions.checkCsrf(s.session, '')).toBe(false);
    expect(sessions.checkCsrf(s.session, `${s.csrfToken}x`)).toBe(false);
  });

  it('tracks the second factor and re-authentication within 5 minutes', async () => {
    const s = await start(undefined, false);
    expect(sessions.describe(s.session).mfa).toBe(false);
    expect(sessions.needsReauth(s.session)).toBe(false); // sign-in itself just authenticated
    at(6 * MINUTE);
    expect(await sessions.markMfa(s.sessionId)).toBe(true);
    let live = await sessions.resolve(s.sessionId);
    expect(live?.mfaAt).toEqual(now);
    expect(live && sessions.describe(live).mfa).toBe(true);
    at(12 * MINUTE);
    live = await sessions.resolve(s.sessionId);
    expect(live && sessions.needsReauth(live)).toBe(true);
    expect(await sessions.markReauth(s.sessionId)).toBe(true);
    live = await sessions.resolve(s.sessionId);
    expect(live && sessions.needsReauth(live)).toBe(false);
    expect(live && sessions.needsReauth(live, 0)).toBe(false);
  });

  it('refuses malformed ids without a lookup', async () => {
    for (const bad of [undefined, '', 'x', 'a'.repeat(44), `${'a'.repeat(42)}=`]) {
      expect(await sessions.resolve(bad)).toBeUndefined();
      expect(await sessions.end(bad)).toBe(false);
    }
  });
});
