import fs from 'node:fs';
import type { HavenConfig } from '../config/index.js';
import {
  HandoverProvider,
  KeyringMissingError,
  LocalKeyringProvider,
  Pkcs11Provider,
  type KeyProvider,
} from '../crypto/index.js';

/**
 * The keyring is created only on a truly fresh installation. If the database already holds
 * wrapped keys, a missing keyring means the data is unreadable: refuse to start rather than
 * create a new keyring over data that needs the old one.
 *
 * With a PKCS#11 token configured, the token wraps every new key (its first KEK is generated
 * on it if it holds none) and an existing keyring stays beside it for the keys still wrapped
 * under it, until `haven keys migrate-to-hsm` moves them. No keyring is created then. A token
 * that cannot be opened or logged in to refuses start-up (KeyUnavailableError naming the token).
 */
export async function openKeyProvider(
  config: Pick<HavenConfig, 'keyringPath' | 'pkcs11'>,
  databaseHasKeys: boolean,
  mayCreate: boolean,
  clock: () => Date,
): Promise<{ provider: KeyProvider; created: boolean }> {
  const keyringPath = config.keyringPath;
  if (config.pkcs11 !== undefined) {
    const hsm = await Pkcs11Provider.open(config.pkcs11);
    if (!fs.existsSync(keyringPath)) return { provider: hsm, created: false };
    try {
      const local = await LocalKeyringProvider.open(keyringPath, clock);
      return { provider: new HandoverProvider(hsm, local), created: false };
    } catch (e) {
      await hsm.close();
      throw e;
    }
  }
  if (!fs.existsSync(keyringPath)) {
    if (!mayCreate) {
      throw new KeyringMissingError(
        `keyring not found at ${keyringPath}; point --keyring (or HAVEN_KEYRING) at this installation's keyring (only "haven init" and "haven serve" create one)`,
      );
    }
    if (databaseHasKeys) {
      throw new KeyringMissingError(
        `keyring not found at ${keyringPath}, but the database holds data sealed with it; restore the keyring file (Haven will not create a new one over existing data)`,
      );
    }
    return { provider: await LocalKeyringProvider.create(keyringPath, clock), created: true };
  }
  return { provider: await LocalKeyringProvider.open(keyringPath, clock), created: false };
}
