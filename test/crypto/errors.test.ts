import { describe, expect, it } from 'vitest';

import {
  HavenCryptoError,
  IntegrityError,
  KeyDestroyedError,
  KeyringExistsError,
  KeyringMissingError,
  KeyringUnreadableError,
  KeyUnavailableError,
} from '../../src/crypto/index.js';

describe('crypto errors', () => {
  const cases = [
    [new IntegrityError(), 'integrity', 'IntegrityError'],
    [new KeyUnavailableError(), 'key-unavailable', 'KeyUnavailableError'],
    [new KeyDestroyedError(), 'key-destroyed', 'KeyDestroyedError'],
    [new KeyringMissingError('m'), 'keyring-missing', 'KeyringMissingError'],
    [new KeyringUnreadableError('m'), 'keyring-unreadable', 'KeyringUnreadableError'],
    [new KeyringExistsError('m'), 'keyring-exists', 'KeyringExistsError'],
  ] as const;

  for (const [error, code, name] of cases) {
    it(`${name} has code '${code}' and extends HavenCryptoError`, () => {
      expect(error).toBeInstanceOf(HavenCryptoError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.name).toBe(name);
      expect(error.message.length).toBeGreaterThan(0);
    });
  }
});
