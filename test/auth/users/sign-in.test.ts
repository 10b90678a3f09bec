import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidCredentialsError, UserDisabledError } from '../../../src/auth/users/index.js';
import { ENGINES } from '../../support/engines.js';
import {
  assertNoSecretsIn,
  enrolledUser,
  openHarness,
  STAFF_PASSWORD,
  type Harness,
} from './harness.js';

const WRONG = 'not the right password at all';
const NEXT = 'a brand new long passphrase';

describe.each(ENGINES)('password sign-in on %s', (engine) => {
  let h: Harness;
  const emails: string[] = [];
  const user = async (roles?: string[]) => {
    const u = await enrolledUser(h, roles);
    emails.push(u.email);
    return u;
  };
  const minutes = (n: number) => h.advance(n * 60_000);
  beforeAll(async () => void (h = await openHarness(engine)));
  afterAll(async () => {
    assertNoSecretsIn(h.events, [...emails, STAFF_PASSWORD, WRONG, NEXT]);
    await h.close();
  });

  it('accepts the right password, whatever the email case', async () => {
    const { userId, email } = await user(['nurse', 'scheduler']);
    const r = await h.service.verifyPassword(email.toUpperCase(), STAFF_PASSWORD);
    expect(r).toMatchObject({ ok: true, user: { id: userId, roles: ['nurse', 'scheduler'] } });
    expect(h.events.at(-1)).toMatchObject({ action: 'login-password', outcome: 'success' });
  });

  it('answers a wrong password and an unknown user alike, both after one argon2 run', async () => {
    const { email } = await user();
    const before = { ...h.calls };
    const wrong = await h.service.verifyPassword(email, WRONG);
    const unknown = await h.service.verifyPassword('nobody@clinic.example', WRONG);
    const malformed = await h.service.verifyPassword('not an email', WRONG);
    expect([wrong, unknown, malformed]).toEqual([{ ok: false }, { ok: false }, { ok: false }]);
    expect(h.calls.verify - before.verify).toBe(1);
    expect(h.calls.dummyVerify - before.dummyVerify).toBe(2);
    expect(h.events.at(-2)).toMatchObject({ outcome: 'failure', actorType: 'anonymous' });
  });

  it('locks after 5 failures, backs off exponentially and unlocks by time', async () => {
    const { email } = await user();
    for (let i = 0; i < 5; i++)
      expect((await h.service.verifyPassword(email, WRONG)).ok).toBe(false);
    expect(h.events.some((e) => e.action === 'lockout')).toBe(true);
    const dummies = h.calls.dummyVerify;
    expect(await h.service.verifyPassword(email, STAFF_PASSWORD)).toEqual({ ok: false });
    expect(h.calls.dummyVerify).toBe(dummies + 1);
    minutes(1);
    expect((await h.service.verifyPassword(email, WRONG)).ok).toBe(false); // 6th: 2 minutes
    minutes(1);
    expect((await h.service.verifyPassword(email, STAFF_PASSWORD)).ok).toBe(false);
    minutes(1);
    expect((await h.service.verifyPassword(email, STAFF_PASSWORD)).ok).toBe(true);
    // Success cleared the count: four more failures do not lock.
    for (let i = 0; i < 4; i++) await h.service.verifyPassword(email, WRONG);
    expect((await h.service.verifyPassword(email, STAFF_PASSWORD)).ok).toBe(true);
  });

  it('is unlocked early by an admin', async () => {
    const { userId, email } = await user();
    for (let i = 0; i < 5; i++) await h.service.verifyPassword(email, WRONG);
    expect((await h.service.list()).find((u) => u.id === userId)?.status).toBe('locked');
    await h.service.unlock(userId, { actorType: 'user', actorId: 'admin-1' });
    expect((await h.service.verifyPassword(email, STAFF_PASSWORD)).ok).toBe(true);
    expect(h.events.find((e) => e.action === 'user-unlock')).toMatchObject({ actorId: 'admin-1' });
  });

  it('refuses a disabled user and revokes their sessions', async () => {
    const { userId, email } = await user();
    await h.service.disable(userId);
    expect(h.revoked).toContain(userId);
    expect(await h.service.verifyPassword(email, STAFF_PASSWORD)).toEqual({ ok: false });
    expect(await h.service.account(userId)).toBeUndefined();
    expect((await h.service.list()).find((u) => u.id === userId)?.status).toBe('disabled');
    await expect(h.service.beginTotpEnrollment(userId)).rejects.toBeInstanceOf(UserDisabledError);
  });

  it('changes a password after checking the current one, revoking sessions', async () => {
    const { userId, email } = await user();
    await expect(h.service.changePassword(userId, WRONG, NEXT)).rejects.toBeInstanceOf(
      InvalidCredentialsError,
    );
    h.revoked.length = 0;
    await h.service.changePassword(userId, STAFF_PASSWORD, NEXT);
    expect(h.revoked).toEqual([userId]);
    expect((await h.service.verifyPassword(email, STAFF_PASSWORD)).ok).toBe(false);
    expect((await h.service.verifyPassword(email, NEXT)).ok).toBe(true);
  });
});
