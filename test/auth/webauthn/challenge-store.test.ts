import { describe, expect, it } from 'vitest';
import { CHALLENGE_TTL_MS, MemoryChallengeStore } from '../../../src/auth/webauthn/index.js';

const pending = (challenge: string) =>
  ({ challenge, ceremony: 'authentication', userId: null }) as const;

describe('MemoryChallengeStore', () => {
  it('gives a challenge back once', async () => {
    const store = new MemoryChallengeStore();
    await store.put('k', pending('c1'), CHALLENGE_TTL_MS);
    expect(await store.take('k')).toEqual(pending('c1'));
    expect(await store.take('k')).toBeUndefined();
  });

  it('forgets a challenge at its expiry', async () => {
    let now = new Date('2031-01-01T00:00:00Z');
    const store = new MemoryChallengeStore({ clock: () => now });
    await store.put('k', pending('c1'), CHALLENGE_TTL_MS);
    await store.put('j', pending('c2'), CHALLENGE_TTL_MS);
    now = new Date(now.getTime() + CHALLENGE_TTL_MS - 1);
    expect(await store.take('k')).toEqual(pending('c1'));
    now = new Date(now.getTime() + 1);
    expect(await store.take('j')).toBeUndefined();
  });

  it('replaces an earlier challenge under the same key', async () => {
    const store = new MemoryChallengeStore();
    await store.put('k', pending('old'), CHALLENGE_TTL_MS);
    await store.put('k', pending('new'), CHALLENGE_TTL_MS);
    expect(await store.take('k')).toEqual(pending('new'));
  });

  it('sweeps expired entries and holds at most maxPending', async () => {
    let now = new Date('2031-01-01T00:00:00Z');
    const store = new MemoryChallengeStore({ clock: () => now, maxPending: 3 });
    for (const k of ['a', 'b', 'c', 'd']) await store.put(k, pending(k), CHALLENGE_TTL_MS);
    expect(store.size).toBe(3);
    expect(await store.take('a')).toBeUndefined(); // the oldest was dropped
    now = new Date(now.getTime() + CHALLENGE_TTL_MS);
    await store.put('e', pending('e'), CHALLENGE_TTL_MS);
    expect(store.size).toBe(1);
  });
});
