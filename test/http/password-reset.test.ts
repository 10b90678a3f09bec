import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { api, createUser, loginPassword, signIn, TestClock, MINUTE } from './auth/sign-in.js';

/** Password reset: a single-use, one-hour link that replaces the password and ends every session. */
describe.each(ENGINES)('password reset on %s', (engine) => {
  let t: TestServer;
  const clock = new TestClock();
  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn });
  });
  afterAll(async () => t.stop());

  it('replaces the password, ends existing sessions, and is single use', async () => {
    const user = await createUser(t, clock, { totp: true });
    const jar = await signIn(t, clock, user);
    expect((await api(t, 'GET', '/api/session', { jar })).status).toBe(200);
    const { resetToken } = await t.haven.people.users.issuePasswordReset(user.userId);

    const weak = await api(t, 'POST', '/api/password/reset', {
      body: { token: resetToken, password: 'password1234' },
    });
    expect(weak.status).toBe(400);
    const next = 'an entirely new long passphrase 7';
    expect(
      (await api(t, 'POST', '/api/password/reset', { body: { token: resetToken, password: next } }))
        .status,
    ).toBe(204);
    expect((await api(t, 'GET', '/api/session', { jar })).status).toBe(401);
    await expect(loginPassword(t, user)).rejects.toThrow(/401/);
    await loginPassword(t, { ...user, password: next });
    const again = await api(t, 'POST', '/api/password/reset', {
      body: { token: resetToken, password: 'yet another passphrase 8' },
    });
    expect(again.status).toBe(400);
  });

  it('expires after an hour, and an enrollment link cannot be used as a reset link', async () => {
    const user = await createUser(t, clock);
    const { resetToken } = await t.haven.people.users.issuePasswordReset(user.userId);
    clock.advance(61 * MINUTE);
    expect(
      (
        await api(t, 'POST', '/api/password/reset', {
          body: { token: resetToken, password: 'a fine long passphrase 9' },
        })
      ).status,
    ).toBe(400);
    const invited = await t.haven.people.users.addUser({
      email: `reset-${Date.now()}@clinic.example`,
      roles: ['nurse'],
    });
    expect(
      (
        await api(t, 'POST', '/api/password/reset', {
          body: { token: invited.enrollmentToken, password: 'a fine long passphrase 9' },
        })
      ).status,
    ).toBe(400);
  });
});
