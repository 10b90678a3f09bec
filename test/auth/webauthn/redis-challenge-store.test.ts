import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHALLENGE_TTL_MS, RedisChallengeStore } from '../../../src/auth/webauthn/index.js';
import { TEST_REDIS_URL } from '../sessions/backends.js';

const pending = (challenge: string, userId: string | null = null) =>
  ({ challenge, ceremony: 'authentication', userId }) as const;

describe('RedisChallengeStore', () => {
  let redis: Redis;
  // A fresh prefix per run: parallel runs never see each other's keys.
  const prefix = `haven-test-${crypto.randomBytes(6).toString('hex')}:`;
  let now = new Date('2031-01-01T00:00:00Z');
  let store: RedisChallengeStore;

  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    store = new RedisChallengeStore(redis, { prefix, clock: () => now });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('gives a challenge back once', async () => {
    await store.put('k1', pending('c1', 'user-1'), CHALLENGE_TTL_MS);
    expect(await store.take('k1')).toEqual(pending('c1', 'user-1'));
    expect(await store.take('k1')).toBeUndefined();
    expect(await redis.exists(`${prefix}webauthn:k1`)).toBe(0);
  });

  it('answers undefined for a key never written', async () => {
    expect(await store.take('never-written')).toBeUndefined();
  });

  it('hands one challenge to only one of two racing takes', async () => {
    await store.put('race', pending('c-race'), CHALLENGE_TTL_MS);
    const results = await Promise.all([store.take('race'), store.take('race')]);
    expect(results.filter((r) => r !== undefined)).toEqual([pending('c-race')]);
  });

  it('lets Redis expire the key after the TTL it was given (PX)', async () => {
    await store.put('ttl', pending('c-ttl'), 60_000);
    const pttl = await redis.pttl(`${prefix}webauthn:ttl`);
    expect(pttl).toBeGreaterThan(50_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
  });

  it('never honours an entry past its expiry by Haven’s clock, even if Redis still holds it', async () => {
    await store.put('late', pending('c-late'), CHALLENGE_TTL_MS);
    await store.put('live', pending('c-live'), CHALLENGE_TTL_MS);
    now = new Date(now.getTime() + CHALLENGE_TTL_MS - 1);
    expect(await store.take('live')).toEqual(pending('c-live'));
    now = new Date(now.getTime() + 1);
    expect(await store.take('late')).toBeUndefined();
    // Spent all the same: an expired entry is removed by the take.
    expect(await redis.exists(`${prefix}webauthn:late`)).toBe(0);
  });

  it('replaces an earlier challenge under the same key', async () => {
    await store.put('same', pending('old'), CHALLENGE_TTL_MS);
    await store.put('same', pending('new'), CHALLENGE_TTL_MS);
    expect(await store.take('same')).toEqual(pending('new'));
  });

  it('treats a value it did not write as absent', async () => {
    await redis.set(`${prefix}webauthn:junk`, 'not json', 'PX', 60_000);
    await redis.set(
      `${prefix}webauthn:shape`,
      JSON.stringify({ challenge: 'c', ceremony: 'other', userId: null, expiresAt: 9e15 }),
      'PX',
      60_000,
    );
    expect(await store.take('junk')).toBeUndefined();
    expect(await store.take('shape')).toBeUndefined();
  });
});
