import { describe, expect, it } from 'vitest';

import { IntegrityError, type RecordBinding } from '../../src/crypto/index.js';
import { useTempDir } from './support/temp-dir.js';
import { keyVersionOf, vaultFixture } from './support/vault-fixture.js';

const dir = useTempDir();
const obs: RecordBinding = {
  resourceType: 'Observation',
  id: 'obs-1',
  version: 2,
  owner: 'Patient/1',
};

describe('Vault: round trip', () => {
  it('decrypts what it encrypted, for empty, small and large plaintexts', async () => {
    const { vault } = await vaultFixture(dir());
    for (const size of [0, 1, 1000, 256 * 1024]) {
      const plaintext = Buffer.alloc(size, 0x5a);
      const sealed = await vault.encrypt(obs, plaintext);
      expect(sealed.length).toBe(size + 65);
      expect(keyVersionOf(sealed)).toBe(1);
      expect((await vault.decrypt(obs, sealed)).equals(plaintext)).toBe(true);
    }
  });

  it('never repeats a ciphertext and never contains the plaintext', async () => {
    const { vault } = await vaultFixture(dir());
    const plaintext = Buffer.from('{"code":"hypertension"}');
    const a = await vault.encrypt(obs, plaintext);
    const b = await vault.encrypt(obs, plaintext);
    expect(a.equals(b)).toBe(false);
    expect(a.includes(plaintext)).toBe(false);
  });

  it('decrypts in a fresh process that shares only the keyring and the repository', async () => {
    const f = await vaultFixture(dir());
    const sealed = await f.vault.encrypt(obs, Buffer.from('hello'));
    expect((await f.process().decrypt(obs, sealed)).toString()).toBe('hello');
  });
});

describe('Vault: tampering', () => {
  it('refuses every single-byte alteration of a sealed record', async () => {
    const { vault } = await vaultFixture(dir());
    const sealed = await vault.encrypt(obs, Buffer.from('ok'));
    for (let i = 0; i < sealed.length; i++) {
      for (const mask of [0x01, 0x80]) {
        const bad = Buffer.from(sealed);
        bad[i]! ^= mask;
        await expect(vault.decrypt(obs, bad), `byte ${i} ^ ${mask}`).rejects.toBeInstanceOf(
          IntegrityError,
        );
      }
    }
    expect((await vault.decrypt(obs, sealed)).toString()).toBe('ok');
  });

  it('refuses a tag truncated to 12 bytes, any shorter prefix, and appended bytes', async () => {
    const { vault } = await vaultFixture(dir());
    const sealed = await vault.encrypt(obs, Buffer.from('a short note'));
    await expect(vault.decrypt(obs, sealed.subarray(0, sealed.length - 4))).rejects.toBeInstanceOf(
      IntegrityError,
    );
    for (let n = 0; n < sealed.length; n += 7) {
      await expect(vault.decrypt(obs, sealed.subarray(0, n)), `${n} bytes`).rejects.toBeInstanceOf(
        IntegrityError,
      );
    }
    await expect(vault.decrypt(obs, Buffer.concat([sealed, Buffer.of(0)]))).rejects.toBeInstanceOf(
      IntegrityError,
    );
  });
});

describe('Vault: a ciphertext is bound to its record', () => {
  const moves: [string, RecordBinding][] = [
    ['another id', { ...obs, id: 'obs-2' }],
    ['another version', { ...obs, version: 3 }],
    ['another resource type', { ...obs, resourceType: 'Condition' }],
    ['another owner who has a key', { ...obs, owner: 'Patient/2' }],
    ['another owner who has no key', { ...obs, owner: 'Patient/3' }],
  ];
  for (const [what, moved] of moves) {
    it(`refuses it when presented for ${what}`, async () => {
      const { vault } = await vaultFixture(dir());
      await vault.ensureOwnerKey('Patient/2');
      const sealed = await vault.encrypt(obs, Buffer.from('{"status":"final"}'));
      await expect(vault.decrypt(moved, sealed)).rejects.toBeInstanceOf(IntegrityError);
    });
  }

  it('refuses a ciphertext from another owner even when its own header is intact', async () => {
    const { vault } = await vaultFixture(dir());
    const other = { ...obs, owner: 'Patient/2' };
    const sealed = await vault.encrypt(other, Buffer.from('x'));
    await vault.ensureOwnerKey('Patient/1');
    await expect(vault.decrypt(obs, sealed)).rejects.toBeInstanceOf(IntegrityError);
  });

  it('keeps the binding and the plaintext out of error messages', async () => {
    const { vault } = await vaultFixture(dir());
    const sealed = await vault.encrypt(obs, Buffer.from('secret-diagnosis'));
    const error = await vault.decrypt({ ...obs, id: 'obs-9' }, sealed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrityError);
    const text = `${(error as Error).message} ${(error as Error).stack ?? ''}`;
    for (const secret of ['secret-diagnosis', 'Patient/1', 'obs-9'])
      expect(text).not.toContain(secret);
  });

  it('refuses malformed bindings and plaintexts as programming errors', async () => {
    const { vault } = await vaultFixture(dir());
    await expect(vault.encrypt({ ...obs, owner: '' }, Buffer.alloc(1))).rejects.toThrow(TypeError);
    await expect(vault.encrypt(obs, 'text' as unknown as Buffer)).rejects.toThrow(TypeError);
    await expect(vault.decrypt({ ...obs, version: NaN }, Buffer.alloc(80))).rejects.toThrow(
      TypeError,
    );
  });
});
