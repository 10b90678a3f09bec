import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../../src/auth/throttle/index.js';
import { openDatabase, ThrottleRepository, type Database } from '../../../src/store/index.js';
import { ENGINES, makeTarget, type EngineTarget } from '../../support/engines.js';

const T0 = new Date('2030-03-01T08:00:00.000Z');
const plus = (s: number) => new Date(T0.getTime() + s * 1000);

describe.each(ENGINES)('login throttle on %s', (engine) => {
  let target: EngineTarget;
  let database: Database;
  let throttle: LoginThrottle;
  let n = 0;
  const freshKey = () => `account:${(++n).toString(16).padStart(8, '0')}`;

  beforeAll(async () => {
    target = await makeTarget(engine);
    database = await openDatabase({
      databaseUrl: target.databaseUrl,
      schema: target.schema,
      sqlitePath: path.join(target.dataDir, 'haven.db'),
    });
    throttle = new LoginThrottle(new ThrottleRepository(database.db));
  });
  afterAll(async () => {
    await database.close();
    await target.cleanup();
  });

  it('backs off exponentially after 5 failures and unlocks by time', async () => {
    const key = freshKey();
    for (let i = 1; i <= 4; i++) {
      expect(await throttle.fail(key, T0)).toEqual({ allowed: true, failures: i });
      expect(await throttle.check(key, T0)).toEqual({ allowed: true });
    }
    expect(await throttle.fail(key, T0)).toEqual({
      allowed: false,
      retryAfterSeconds: 30,
      failures: 5,
    });
    expect(await throttle.check(key, plus(29))).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(await throttle.check(key, plus(30))).toEqual({ allowed: true });
    expect(await throttle.fail(key, plus(30))).toMatchObject({ retryAfterSeconds: 60 });
    expect(await throttle.check(key, plus(89))).toMatchObject({ allowed: false });
    expect(await throttle.check(key, plus(90))).toEqual({ allowed: true });
    expect(await throttle.fail(key, plus(90))).toMatchObject({ retryAfterSeconds: 120 });
  });

  it('is unlocked by an administrator and reset by a successful sign-in', async () => {
    const key = freshKey();
    for (let i = 0; i < 8; i++) await throttle.fail(key, T0);
    expect(await throttle.check(key, T0)).toMatchObject({ allowed: false });
    expect(await throttle.unlock(key)).toBe(true);
    expect(await throttle.check(key, T0)).toEqual({ allowed: true });
    expect(await throttle.fail(key, T0)).toMatchObject({ failures: 1 });
    await throttle.succeed(key);
    expect(await throttle.fail(key, T0)).toMatchObject({ failures: 1 });
    expect(await throttle.unlock(freshKey())).toBe(false);
  });

  it('keeps keys apart and counts concurrent failures exactly', async () => {
    const a = freshKey();
    const ip = 'ip:198.51.100.9';
    await Promise.all(Array.from({ length: 8 }, () => throttle.fail(ip, T0)));
    expect(await throttle.fail(ip, T0)).toMatchObject({ failures: 9, retryAfterSeconds: 480 });
    expect(await throttle.check(a, T0)).toEqual({ allowed: true });
  });

  it('refuses malformed keys', async () => {
    await expect(throttle.check('user:x', T0)).rejects.toThrow(TypeError);
    await expect(throttle.fail('account: x', T0)).rejects.toThrow(TypeError);
  });
});
