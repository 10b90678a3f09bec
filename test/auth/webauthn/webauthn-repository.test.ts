import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../support/engines.js';
import { openWebauthnHarness, type WebauthnHarness } from './harness.js';

describe.each(ENGINES)('WebauthnRepository on %s', (engine) => {
  let h: WebauthnHarness;
  beforeAll(async () => void (h = await openWebauthnHarness(engine)));
  afterAll(async () => h.close());

  const insert = async (userId: string, counter: number) => {
    const id = crypto.randomBytes(16).toString('base64url');
    const publicKey = crypto.randomBytes(77);
    const at = h.now().toISOString();
    expect(await h.repo.insert({ id, userId, publicKey, counter, transports: ['usb'], at })).toBe(
      true,
    );
    return { id, publicKey };
  };

  it('stores a credential and finds it by id and by user', async () => {
    const userId = await h.newUser();
    const { id, publicKey } = await insert(userId, 3);
    const row = await h.repo.findById(id);
    expect(row).toEqual({
      id,
      userId,
      publicKey,
      counter: 3,
      transports: ['usb'],
      createdAt: h.now().toISOString(),
      lastUsedAt: null,
    });
    expect(await h.repo.listForUser(userId)).toEqual([row]);
    expect(await h.repo.findById('unknown')).toBeUndefined();
    expect(
      await h.repo.insert({ id, userId, publicKey, counter: 0, transports: [], at: 'x' }),
    ).toBe(false);
  });

  it('moves the counter forward only (compare-and-set)', async () => {
    const userId = await h.newUser();
    const { id } = await insert(userId, 5);
    const at = h.now().toISOString();
    expect(await h.repo.updateCounter(id, 5, at)).toBe(false);
    expect(await h.repo.updateCounter(id, 4, at)).toBe(false);
    expect(await h.repo.updateCounter(id, 0, at)).toBe(false);
    expect(await h.repo.updateCounter(id, 6, at)).toBe(true);
    expect(await h.repo.findById(id)).toMatchObject({ counter: 6, lastUsedAt: at });
    expect(await h.repo.updateCounter('unknown', 9, at)).toBe(false);
  });

  it('allows 0 → 0 for authenticators without a counter, but not 0 after a count', async () => {
    const userId = await h.newUser();
    const { id } = await insert(userId, 0);
    const at = h.now().toISOString();
    expect(await h.repo.updateCounter(id, 0, at)).toBe(true);
    expect(await h.repo.updateCounter(id, 0, at)).toBe(true);
    expect(await h.repo.updateCounter(id, 1, at)).toBe(true);
    expect(await h.repo.updateCounter(id, 0, at)).toBe(false);
  });

  it('lets only one of several racing uses with one counter value win', async () => {
    const userId = await h.newUser();
    const { id } = await insert(userId, 1);
    const at = h.now().toISOString();
    const results = await Promise.all([1, 2, 3, 4].map(() => h.repo.updateCounter(id, 2, at)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("deletes only the owner's credential", async () => {
    const alice = await h.newUser();
    const bob = await h.newUser();
    const { id } = await insert(alice, 0);
    expect(await h.repo.delete(bob, id)).toBe(false);
    expect(await h.repo.delete(alice, id)).toBe(true);
    expect(await h.repo.delete(alice, id)).toBe(false);
    expect(await h.repo.findById(id)).toBeUndefined();
  });
});
