import { OwnerKeyStore } from '../backup/index.js';
import type { HavenConfig } from '../config/index.js';

/** The escrow keys of an installation (beside its keyring; see ADR 0029). */
export function ownerKeysOf(config: Pick<HavenConfig, 'keyringPath'>): OwnerKeyStore {
  return OwnerKeyStore.beside(config.keyringPath);
}
