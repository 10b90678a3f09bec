import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IntegrityError,
  KeyUnavailableError,
  Pkcs11Provider,
  Vault,
  type RecordBinding,
} from '../../src/crypto/index.js';
import { createSoftHsmToken, type SoftHsmToken } from '../support/softhsm.js';
import { MemoryDataKeys } from './support/memory-data-keys.js';

/**
 * The vault over the PKCS#11 provider: the same envelope behaviour as over the local keyring
 * (test/crypto/vault.test.ts), with every data key wrapped inside a SoftHSM2 token.
 */
let token: SoftHsmToken;
let provider: Pkcs11Provider;
beforeAll(async () => {
  token = createSoftHsmToken();
  provider = await Pkcs11Provider.open(token.settings);
});
afterAll(async () => {
  await provider.close();
  token.cleanup();
});

const obs = (owner: string): RecordBinding => ({
  resourceType: 'Observation',
  id: 'obs-1',
  version: 2,
  owner,
});

describe('Vault over a PKCS#11 token', () => {
  it('round-trips, and a second process on the same token and repository decrypts', async () => {
    const repo = new MemoryDataKeys();
    const vault = new Vault({ provider, dataKeys: repo });
    const sealed = await vault.encrypt(obs('Patient/1'), Buffer.from('hello'));
    expect([...repo.rows.values()].map((r) => r.kekId)).toEqual(['pkcs11-1']);
    const other = new Vault({ provider, dataKeys: repo });
    expect((await other.decrypt(obs('Patient/1'), sealed)).toString()).toBe('hello');
  });

  it('refuses a ciphertext presented for another owner', async () => {
    const repo = new MemoryDataKeys();
    const vault = new Vault({ provider, dataKeys: repo });
    const sealed = await vault.encrypt(obs('Patient/1'), Buffer.from('x'));
    await vault.encrypt(obs('Patient/2'), Buffer.from('y'));
    await expect(vault.decrypt(obs('Patient/2'), sealed)).rejects.toBeInstanceOf(IntegrityError);
  });

  it('refuses a data key row copied to another owner (the wrap context binds the owner)', async () => {
    const repo = new MemoryDataKeys();
    const vault = new Vault({ provider, dataKeys: repo });
    await vault.encrypt(obs('Patient/1'), Buffer.from('x'));
    const row = [...repo.rows.values()][0]!;
    await repo.insert({ owner: 'Patient/9', version: 1, kekId: row.kekId, wrapped: row.wrapped });
    await expect(
      new Vault({ provider, dataKeys: repo }).ensureOwnerKey('Patient/9'),
    ).rejects.toBeInstanceOf(KeyUnavailableError);
  });
});
