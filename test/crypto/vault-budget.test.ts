import { describe, expect, it } from 'vitest';

import { IntegrityError, Vault, type RecordBinding } from '../../src/crypto/index.js';
import { MemoryDataKeys } from './support/memory-data-keys.js';
import { useTempDir } from './support/temp-dir.js';
import { keyVersionOf, vaultFixture } from './support/vault-fixture.js';

const dir = useTempDir();
const rec = (id: string): RecordBinding => ({
  resourceType: 'Note',
  id,
  version: 1,
  owner: 'Patient/1',
});
const small = { maxEncryptionsPerKey: 10, reservationBlock: 4 };

const countBy = (versions: number[]): Record<number, number> =>
  versions.reduce<Record<number, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});

describe('Vault: encryption budget per data key', () => {
  it('moves to data key version 2 at the 11th encryption; old records still decrypt', async () => {
    const f = await vaultFixture(dir(), small);
    const { vault, repo } = f;
    const sealed: Buffer[] = [];
    for (let i = 0; i < 11; i++)
      sealed.push(await vault.encrypt(rec(`n${i}`), Buffer.from(`${i}`)));
    expect(sealed.map(keyVersionOf)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
    expect(repo.row('Patient/1', 1).reserved).toBe(10);
    expect(repo.calls.reserve).toBe(4); // 4 + 4 + 2 under v1, then the first block of v2
    for (const [i, s] of sealed.entries()) {
      expect((await vault.decrypt(rec(`n${i}`), s)).toString()).toBe(`${i}`);
    }
    expect((await f.process().decrypt(rec('n0'), sealed[0]!)).toString()).toBe('0');
  });

  it('keeps going through several versions and never exceeds the budget under concurrency', async () => {
    const { vault, repo } = await vaultFixture(dir(), small);
    const sealed = await Promise.all(
      Array.from({ length: 30 }, (_, i) => vault.encrypt(rec(`n${i}`), Buffer.from(`${i}`))),
    );
    expect(countBy(sealed.map(keyVersionOf))).toEqual({ 1: 10, 2: 10, 3: 10 });
    expect(repo.calls.insertRejected).toBe(0); // one rotation per version, not one per waiter
    expect(repo.totalInserted()).toBe(3);
    for (const v of [1, 2, 3]) expect(repo.row('Patient/1', v).reserved).toBeLessThanOrEqual(10);
  });

  it('shares the budget between processes: together they never exceed it', async () => {
    const f = await vaultFixture(dir(), small);
    const other = f.process();
    const sealed: Buffer[] = [];
    for (let i = 0; i < 24; i++) {
      sealed.push(await (i % 2 === 0 ? f.vault : other).encrypt(rec(`n${i}`), Buffer.from(`${i}`)));
    }
    const counts = countBy(sealed.map(keyVersionOf));
    for (const n of Object.values(counts)) expect(n).toBeLessThanOrEqual(10);
    for (const [i, s] of sealed.entries()) {
      expect((await (i % 2 === 0 ? other : f.vault).decrypt(rec(`n${i}`), s)).toString()).toBe(
        `${i}`,
      );
    }
  });

  it('refuses a record whose header is relabelled to another existing key version', async () => {
    const { vault } = await vaultFixture(dir(), { maxEncryptionsPerKey: 1, reservationBlock: 1 });
    const first = await vault.encrypt(rec('a'), Buffer.from('a'));
    const second = await vault.encrypt(rec('b'), Buffer.from('b'));
    expect([keyVersionOf(first), keyVersionOf(second)]).toEqual([1, 2]);
    const relabelled = Buffer.from(first);
    relabelled.writeUInt32BE(2, 1);
    await expect(vault.decrypt(rec('a'), relabelled)).rejects.toBeInstanceOf(IntegrityError);
  });

  it('refuses budgets above the 2^32 random-nonce bound and non-positive settings', () => {
    const base = { provider: {} as never, dataKeys: new MemoryDataKeys() };
    expect(() => new Vault({ ...base, maxEncryptionsPerKey: 2 ** 32 + 1 })).toThrow(TypeError);
    expect(() => new Vault({ ...base, maxEncryptionsPerKey: 0 })).toThrow(TypeError);
    expect(() => new Vault({ ...base, reservationBlock: 0 })).toThrow(TypeError);
    expect(() => new Vault({ ...base, cacheSize: 0 })).toThrow(TypeError);
  });
});
