import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipKey } from '../../src/auth/index.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { api, createUser, TestClock } from './auth/sign-in.js';

/** An admin's unlock lifts both locks: the account's own and the sign-in throttle's back-off. */
describe.each(ENGINES)('admin unlock on %s', (engine) => {
  let t: TestServer;
  const clock = new TestClock();
  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn });
  });
  afterAll(async () => t.stop());

  it('after repeated failures the account is refused with 429, and unlocking lets the right password in', async () => {
    const user = await createUser(t, clock);
    const login = (password: string) =>
      api(t, 'POST', '/api/login', { body: { email: user.email, password }, csrf: false });
    for (let i = 0; i < 5; i++) expect((await login('definitely not it')).status).toBe(401);
    expect((await login(user.password)).status).toBe(429);
    // The per-address back-off is separate (several people may share an address); lift it here.
    for (const address of ['127.0.0.1', '::ffff:127.0.0.1'])
      await t.haven.people.throttle.unlock(ipKey(address));
    expect((await login(user.password)).status).toBe(429);
    await t.haven.people.users.unlock(user.userId);
    expect((await login(user.password)).status).toBe(200);
  });
});
