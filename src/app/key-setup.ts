import fs from 'node:fs';
import { KeyringMissingError, LocalKeyringProvider, type KeyProvider } from '../crypto/index.js';

/**
 * The keyring is created only on a truly fresh installation. If the database already holds
 * wrapped keys, a missing keyring means the data is unreadable: refuse to start rather than
 * create a new keyring over data that needs the old one.
 */
export async function openKeyProvider(
  keyringPath: string,
  databaseHasKeys: boolean,
  mayCreate: boolean,
  clock: () => Date,
): Promise<{ provider: KeyProvider; created: boolean }> {
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
