import { join } from 'node:path';

import { LocalKeyringProvider, Vault, type VaultOptions } from '../../../src/crypto/index.js';
import { MemoryDataKeys } from './memory-data-keys.js';

export interface VaultFixture {
  provider: LocalKeyringProvider;
  repo: MemoryDataKeys;
  vault: Vault;
  /** Another vault on the same keyring and repository: a second server process. */
  process: (opts?: Partial<VaultOptions>) => Vault;
}

export async function vaultFixture(
  dir: string,
  opts: Partial<VaultOptions> = {},
): Promise<VaultFixture> {
  const provider = await LocalKeyringProvider.create(join(dir, 'keyring.json'));
  const repo = new MemoryDataKeys();
  const process = (more: Partial<VaultOptions> = {}): Vault =>
    new Vault({ provider, dataKeys: repo, ...opts, ...more });
  return { provider, repo, vault: process(), process };
}

/** The data-key version a sealed record names in its header. */
export const keyVersionOf = (sealed: Buffer): number => sealed.readUInt32BE(1);
