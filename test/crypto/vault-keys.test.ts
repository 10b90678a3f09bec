import { join } from 'node:path';

import { describe, expect, it, vi } from 'vitest';

import {
  KeyDestroyedError,
  KeyUnavailableError,
  LocalKeyringProvider,
  Vault,
  type RecordBinding,
} from '../../src/crypto/index.js';
import { useTempDir } from './support/temp-dir.js';
import { vaultFixture } from './support/vault-fixture.js';

const dir = useTempDir();
const rec = (owner: string, id = 'r1'): RecordBinding => ({
  resourceType: 'Observation',
  id,
  version: 1,
  owner,
});

describe('Vault: first use of an owner', () => {
  it('creates exactly one data key under 50 concurrent encryptions, reserving in blocks', async () => {
    const { vault, repo } = await vaultFixture(dir(), { reservationBlock: 4 });
    const sealed = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        vault.encrypt(rec('Patient/1', `r${i}`), Buffer.from(`${i}`)),
      ),
    );
    expect(repo.calls.insert).toBe(1);
    expect(repo.calls.reserve).toBe(13); // ceil(50 / 4): one call per block, none wasted
    for (const [i, s] of sealed.entries()) {
      expect((await vault.decrypt(rec('Patient/1', `r${i}`), s)).toString()).toBe(`${i}`);
    }
  });

  it('creates one key when ensureOwnerKey and encrypt race, and ensureOwnerKey is idempotent', async () => {
    const { vault, repo } = await vaultFixture(dir());
    await Promise.all([
      vault.ensureOwnerKey('Patient/1'),
      vault.encrypt(rec('Patient/1'), Buffer.from('a')),
      vault.ensureOwnerKey('Patient/1'),
    ]);
    await vault.ensureOwnerKey('Patient/1');
    expect(repo.calls.insert).toBe(1);
  });

  it('creates one key when two processes race, and each reads the other’s records', async () => {
    const f = await vaultFixture(dir());
    const other = f.process();
    const [a, b] = await Promise.all([
      f.vault.encrypt(rec('Patient/1', 'a'), Buffer.from('from A')),
      other.encrypt(rec('Patient/1', 'b'), Buffer.from('from B')),
    ]);
    expect(f.repo.totalInserted()).toBe(1);
    expect(f.repo.calls.insertRejected).toBe(1);
    expect((await f.vault.decrypt(rec('Patient/1', 'b'), b)).toString()).toBe('from B');
    expect((await other.decrypt(rec('Patient/1', 'a'), a)).toString()).toBe('from A');
  });

  it('unwraps once for concurrent first decryptions in a fresh process', async () => {
    const f = await vaultFixture(dir());
    const sealed = await f.vault.encrypt(rec('Patient/1'), Buffer.from('x'));
    const fresh = f.process();
    const before = f.repo.calls.find;
    await Promise.all(Array.from({ length: 20 }, () => fresh.decrypt(rec('Patient/1'), sealed)));
    expect(f.repo.calls.find - before).toBe(1);
    await fresh.decrypt(rec('Patient/1'), sealed); // and keeps what it loaded
    expect(f.repo.calls.find - before).toBe(1);
  });
});

describe('Vault: cached keys', () => {
  it('decrypts a cached owner with no repository calls, settling within the microtask queue', async () => {
    const f = await vaultFixture(dir());
    const sealed = await f.vault.encrypt(rec('Patient/1'), Buffer.from('x'));
    await f.vault.decrypt(rec('Patient/1'), sealed);
    const calls = JSON.stringify(f.repo.calls);
    let settled = false;
    void f.vault.decrypt(rec('Patient/1'), sealed).then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(true); // no I/O could have completed yet: the repo waits a macrotask
    for (let i = 0; i < 100; i++) await f.vault.decrypt(rec('Patient/1'), sealed);
    expect(JSON.stringify(f.repo.calls)).toBe(calls);
  });

  it('reloads after forget(owner) and forget()', async () => {
    const f = await vaultFixture(dir());
    const sealed = await f.vault.encrypt(rec('Patient/1'), Buffer.from('x'));
    f.vault.forget('Patient/1');
    await f.vault.decrypt(rec('Patient/1'), sealed);
    expect(f.repo.calls.find).toBe(1);
    f.vault.forget();
    await f.vault.decrypt(rec('Patient/1'), sealed);
    expect(f.repo.calls.find).toBe(2);
  });

  it('does not let a load that was in flight during forget() re-populate the cache', async () => {
    const f = await vaultFixture(dir());
    const sealed = await f.vault.encrypt(rec('Patient/1'), Buffer.from('x'));
    const fresh = f.process();
    const pending = fresh.decrypt(rec('Patient/1'), sealed); // repository lookup under way
    fresh.forget('Patient/1'); // e.g. the owner's key is being shredded
    expect((await pending).toString()).toBe('x');
    await fresh.decrypt(rec('Patient/1'), sealed);
    expect(f.repo.calls.find).toBe(2); // the second decrypt had to ask the repository again
  });

  it('stays correct when the LRU evicts owners (cacheSize 1) and never re-creates their keys', async () => {
    const { vault, repo } = await vaultFixture(dir(), { cacheSize: 1 });
    const sealed: [RecordBinding, Buffer][] = [];
    for (let i = 0; i < 6; i++) {
      const binding = rec(`Patient/${i % 2}`, `r${i}`);
      sealed.push([binding, await vault.encrypt(binding, Buffer.from(`${i}`))]);
    }
    for (const [i, [binding, s]] of sealed.entries()) {
      expect((await vault.decrypt(binding, s)).toString()).toBe(`${i}`);
    }
    expect(repo.totalInserted()).toBe(2);
  });
});

describe('Vault: key failures', () => {
  it('throws KeyUnavailableError with the wrong KEK (another keyring)', async () => {
    const f = await vaultFixture(dir());
    const sealed = await f.vault.encrypt(rec('Patient/1'), Buffer.from('x'));
    const stranger = await LocalKeyringProvider.create(join(dir(), 'other.json'));
    const wrong = new Vault({ provider: stranger, dataKeys: f.repo });
    await expect(wrong.decrypt(rec('Patient/1'), sealed)).rejects.toBeInstanceOf(
      KeyUnavailableError,
    );
    await expect(wrong.encrypt(rec('Patient/1'), Buffer.from('y'))).rejects.toBeInstanceOf(
      KeyUnavailableError,
    );
  });

  it('throws KeyUnavailableError for a tampered wrapped key or one moved to another owner', async () => {
    const f = await vaultFixture(dir());
    const s1 = await f.vault.encrypt(rec('Patient/1'), Buffer.from('x'));
    const s2 = await f.vault.encrypt(rec('Patient/2'), Buffer.from('y'));
    f.repo.row('Patient/1', 1).wrapped[30]! ^= 0x01;
    f.repo.row('Patient/2', 1).wrapped = Buffer.from(f.repo.row('Patient/1', 1).wrapped);
    const fresh = f.process();
    await expect(fresh.decrypt(rec('Patient/1'), s1)).rejects.toBeInstanceOf(KeyUnavailableError);
    await expect(fresh.decrypt(rec('Patient/2'), s2)).rejects.toBeInstanceOf(KeyUnavailableError);
  });

  it('refuses a row the repository returns for the wrong owner instead of using its key', async () => {
    const f = await vaultFixture(dir());
    await f.vault.ensureOwnerKey('Patient/1');
    const buggy = f.process();
    f.repo.findCurrent = async () => ({ ...f.repo.row('Patient/1', 1) });
    await expect(buggy.encrypt(rec('Patient/2'), Buffer.from('y'))).rejects.toBeInstanceOf(
      KeyUnavailableError,
    );
  });

  it('refuses a corrupt row whose version no sealed header could carry', async () => {
    const f = await vaultFixture(dir());
    await f.vault.ensureOwnerKey('Patient/1');
    const fresh = f.process();
    f.repo.findCurrent = async () => ({ ...f.repo.row('Patient/1', 1), version: 2 ** 32 });
    await expect(fresh.encrypt(rec('Patient/1'), Buffer.from('y'))).rejects.toBeInstanceOf(
      KeyUnavailableError,
    );
  });

  it('throws KeyDestroyedError once the owner’s key is destroyed and the cache forgotten', async () => {
    const f = await vaultFixture(dir());
    const sealed = await f.vault.encrypt(rec('Patient/1'), Buffer.from('x'));
    f.repo.row('Patient/1', 1).destroyed = true;
    f.vault.forget('Patient/1');
    await expect(f.vault.decrypt(rec('Patient/1'), sealed)).rejects.toBeInstanceOf(
      KeyDestroyedError,
    );
    await expect(f.vault.encrypt(rec('Patient/1'), Buffer.from('y'))).rejects.toBeInstanceOf(
      KeyDestroyedError,
    );
    expect(f.repo.totalInserted()).toBe(1); // no silent new key for a shredded owner
  });

  it('keeps old records readable across KEK rotation and wraps new keys with the new KEK', async () => {
    const f = await vaultFixture(dir());
    const old = await f.vault.encrypt(rec('Patient/1'), Buffer.from('before'));
    expect(await f.provider.rotate()).toBe('local-2');
    const fresh = await f.vault.encrypt(rec('Patient/2'), Buffer.from('after'));
    expect(f.repo.row('Patient/1', 1).kekId).toBe('local-1');
    expect(f.repo.row('Patient/2', 1).kekId).toBe('local-2');

    const restarted = new Vault({
      provider: await LocalKeyringProvider.open(join(dir(), 'keyring.json')),
      dataKeys: f.repo,
    });
    expect((await restarted.decrypt(rec('Patient/1'), old)).toString()).toBe('before');
    expect((await restarted.decrypt(rec('Patient/2'), fresh)).toString()).toBe('after');
  });
});

describe('Vault: cached keys expire (issue 17 part 1)', () => {
  it('unwraps an owner’s key again once cacheTtlMs has passed on the injected clock', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock = () => new Date(now);
    const f = await vaultFixture(dir(), { cacheTtlMs: 60_000, clock });
    const sealed = await f.vault.encrypt(rec('Patient/1'), Buffer.from('x'));
    const unwrap = vi.spyOn(f.provider, 'unwrapKey');
    await f.vault.decrypt(rec('Patient/1'), sealed);
    now += 59_999;
    await f.vault.decrypt(rec('Patient/1'), sealed);
    expect(unwrap).toHaveBeenCalledTimes(0); // still cached (created here, never unwrapped)
    now += 1;
    await f.vault.decrypt(rec('Patient/1'), sealed);
    expect(unwrap).toHaveBeenCalledTimes(1);
  });
});
