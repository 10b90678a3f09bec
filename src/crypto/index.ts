// Public surface of the vault. Other folders import from here only.
export type { WrappedKey, KeyProvider, KeyProviderStatus } from './key-provider.js';
export { LocalKeyringProvider } from './local-keyring-provider.js';
export { Pkcs11Provider, describeToken, type Pkcs11Settings } from './pkcs11-provider.js';
export { HandoverProvider } from './handover-provider.js';
export type { DataKeyRecord, DataKeyRepository } from './data-key-repository.js';
export type { RecordBinding } from './record-binding.js';
export { Vault, type VaultOptions } from './vault.js';
export { BlindIndex } from './blind-index.js';
export { Lru } from './lru.js';
export { generateKey } from './generate-key.js';
export { loadOrCreateSystemKey, type SystemKeyRepository } from './system-key.js';
export {
  rewrapAll,
  RotationMovedError,
  type KekUse,
  type StoredWrap,
  type WrapStore,
} from './rewrap.js';
export { sealWithKey, openWithKey } from './seal-with-key.js';
export {
  HavenCryptoError,
  IntegrityError,
  KeyUnavailableError,
  KeyDestroyedError,
  KeyringMissingError,
  KeyringUnreadableError,
  KeyringExistsError,
} from './errors.js';
