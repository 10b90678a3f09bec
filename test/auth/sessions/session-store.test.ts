import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../../src/auth/sessions/index.js';
import { BACKENDS, openBackend, type SessionBackend } from './backends.js';

const T0 = new Date('2030-03-01T08:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

function record(userId = crypto.randomUUID()): SessionRecord {
  return {
    idHash: crypto.randomBytes(32),
    userId,
    createdAt: T0,
    lastSeenAt: T0,
    expiresAt: later(12 * 3600_000),
    mfaAt: undefined,
    reauthAt: T0,
    csrfHash: crypto.randomBytes(32),
    ip: undefined,
    userAgent: undefined,
  };
}

describe.each(BACKENDS)('session store contract on %s', (backend) => {
  let b: SessionBackend;
  beforeAll(async () => {
    b = await openBackend(backend);
  });
  afterAll(async () => {
    await b.close();
  });

  it('round-trips a record', async () => {
    const r = { ...record(), mfaAt: later(5), ip: '203.0.113.7', userAgent: 'UA' };
    await b.store.create(r);
    expect(await b.store.get(r.idHash)).toEqual(r);
  });

  it('moves last-seen forward only', async () => {
    const r = record();
    await b.store.create(r);
    expect(await b.store.touch(r.idHash, later(60_000))).toBe(true);
    expect(await b.store.touch(r.idHash, later(30_000))).toBe(false);
    expect((await b.store.get(r.idHash))?.lastSeenAt).toEqual(later(60_000));
  });

  it('never recreates a deleted session on touch or update', async () => {
    const r = record();
    await b.store.create(r);
    expect(await b.store.delete(r.idHash)).toBe(true);
    expect(await b.store.delete(r.idHash)).toBe(false);
    expect(await b.store.touch(r.idHash, later(1000))).toBe(false);
    expect(await b.store.update(r.idHash, { mfaAt: later(1000) })).toBe(false);
    expect(await b.store.get(r.idHash)).toBeUndefined();
    expect(await b.dump()).not.toContain(r.idHash.toString('hex'));
  });

  it('updates the MFA and re-authentication times', async () => {
    const r = record();
    await b.store.create(r);
    expect(await b.store.update(r.idHash, { mfaAt: later(1), reauthAt: later(2) })).toBe(true);
    expect(await b.store.get(r.idHash)).toMatchObject({ mfaAt: later(1), reauthAt: later(2) });
  });
});
