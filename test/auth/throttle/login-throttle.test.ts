import crypto from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LoginThrottle,
  RedisThrottleStore,
  type ThrottleGrant,
  type ThrottleStore,
} from '../../../src/auth/throttle/index.js';
import { openDatabase, ThrottleRepository, type Database } from '../../../src/store/index.js';
import { ENGINES, makeTarget, type EngineTarget } from '../../support/engines.js';
import { TEST_REDIS_URL } from '../sessions/backends.js';

const T0 = new Date('2030-03-01T08:00:00.000Z');
const plus = (s: number) => new Date(T0.getTime() + s * 1000);

/**
 * Two independent stores on one backend: two database connections (as two server processes
 * hold), or two Redis clients (as two instances). Reservations through either must add up.
 */
interface Backend {
  stores: [ThrottleStore, ThrottleStore];
  close(): Promise<void>;
}

async function databaseBackend(engine: 'sqlite' | 'postgres'): Promise<Backend> {
  const target: EngineTarget = await makeTarget(engine);
  const open = () =>
    openDatabase({
      databaseUrl: target.databaseUrl,
      schema: target.schema,
      sqlitePath: path.join(target.dataDir, 'haven.db'),
    });
  const a: Database = await open();
  const b: Database = await open();
  return {
    stores: [new ThrottleRepository(a.db), new ThrottleRepository(b.db)],
    close: async () => {
      await a.close();
      await b.close();
      await target.cleanup();
    },
  };
}

async function redisBackend(): Promise<Backend> {
  const prefix = `haven-test-${crypto.randomBytes(6).toString('hex')}:`;
  const clients = [0, 1].map(
    () => new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 }),
  );
  await Promise.all(clients.map((c) => c.connect()));
  return {
    stores: [
      new RedisThrottleStore(clients[0]!, { prefix }),
      new RedisThrottleStore(clients[1]!, { prefix }),
    ],
    close: async () => {
      const keys = await clients[0]!.keys(`${prefix}*`);
      if (keys.length > 0) await clients[0]!.del(...keys);
      await Promise.all(clients.map((c) => c.quit()));
    },
  };
}

describe.each([...ENGINES, 'redis'] as const)('login throttle on %s', (kind) => {
  let backend: Backend;
  let throttle: LoginThrottle;
  let other: LoginThrottle;
  let n = 0;
  const freshKey = () => `account:${(++n).toString(16).padStart(8, '0')}`;
  const grant = async (t: LoginThrottle, key: string, at: Date): Promise<ThrottleGrant> => {
    const r = await t.reserve(key, at);
    if (!r.allowed) throw new Error('expected a grant');
    return r;
  };

  beforeAll(async () => {
    backend = kind === 'redis' ? await redisBackend() : await databaseBackend(kind);
    throttle = new LoginThrottle(backend.stores[0]);
    other = new LoginThrottle(backend.stores[1]);
  });
  afterAll(async () => backend.close());

  it('grants 5 attempts, then locks with exponential back-off and unlocks by time', async () => {
    const key = freshKey();
    for (let i = 1; i <= 4; i++) {
      expect(await throttle.reserve(key, T0)).toMatchObject({ allowed: true, failures: i });
      expect(await throttle.check(key, T0)).toEqual({ allowed: true });
    }
    // The 5th is still evaluated, but its reservation already holds the lock it would leave.
    expect(await throttle.reserve(key, T0)).toMatchObject({ allowed: true, failures: 5 });
    expect(await throttle.reserve(key, T0)).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(await throttle.check(key, plus(29))).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(await throttle.reserve(key, plus(30))).toMatchObject({ failures: 6 });
    expect(await throttle.reserve(key, plus(31))).toEqual({
      allowed: false,
      retryAfterSeconds: 59,
    });
    expect(await throttle.reserve(key, plus(90))).toMatchObject({ failures: 7 });
    expect(await throttle.check(key, plus(90))).toEqual({ allowed: false, retryAfterSeconds: 120 });
  });

  it('forgets failures a day after the last lock ended', async () => {
    const key = freshKey();
    for (let i = 0; i < 5; i++) await grant(throttle, key, T0);
    expect(await throttle.reserve(key, plus(30 + 24 * 3600))).toMatchObject({ failures: 1 });
  });

  it('gives a right attempt back: the count drops and the lock it set is lifted', async () => {
    const key = freshKey();
    for (let i = 0; i < 4; i++) await grant(throttle, key, T0);
    const fifth = await grant(throttle, key, T0);
    expect(await throttle.check(key, T0)).toMatchObject({ allowed: false });
    await throttle.release(key, fifth, T0);
    expect(await throttle.check(key, T0)).toEqual({ allowed: true });
    expect(await throttle.reserve(key, T0)).toMatchObject({ failures: 5 });
  });

  it("a release does not lift a lock set by another attempt's reservation", async () => {
    const key = freshKey();
    const first = await grant(throttle, key, T0);
    for (let i = 0; i < 4; i++) await grant(throttle, key, T0);
    await throttle.release(key, first, T0);
    expect(await throttle.check(key, T0)).toMatchObject({ allowed: false });
  });

  it('is unlocked by an administrator and reset by a successful sign-in', async () => {
    const key = freshKey();
    for (let i = 0; i < 5; i++) await grant(throttle, key, T0);
    expect(await throttle.check(key, T0)).toMatchObject({ allowed: false });
    expect(await throttle.unlock(key)).toBe(true);
    expect(await throttle.reserve(key, T0)).toMatchObject({ failures: 1 });
    await throttle.succeed(key);
    expect(await throttle.reserve(key, T0)).toMatchObject({ failures: 1 });
    expect(await throttle.unlock(freshKey())).toBe(false);
  });

  it('grants exactly 5 of 100 parallel attempts, shared over two connections', async () => {
    const key = 'ip:198.51.100.9';
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => (i % 2 ? other : throttle).reserve(key, T0)),
    );
    const granted = results.filter((r) => r.allowed);
    expect(granted).toHaveLength(5);
    expect(granted.map((g) => (g.allowed ? g.failures : 0)).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(await throttle.check(freshKey(), T0)).toEqual({ allowed: true });
  });

  it('refuses malformed keys', async () => {
    await expect(throttle.check('user:x', T0)).rejects.toThrow(TypeError);
    await expect(throttle.reserve('account: x', T0)).rejects.toThrow(TypeError);
  });
});
