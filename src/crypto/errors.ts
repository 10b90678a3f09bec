/**
 * Typed errors of the vault. Every failure to unwrap, decrypt or load key material ends in one
 * of these, so callers can fail closed by catching `HavenCryptoError` and switching on `code`.
 *
 * Messages are deliberately generic: they never carry plaintext, key material or the binding
 * that failed (a binding names a patient). The HTTP edge maps `code` to an OperationOutcome.
 */
export class HavenCryptoError extends Error {
  /** Stable, machine-readable reason; safe to log and to return to clients. */
  static readonly code: string = 'crypto';

  readonly code: string = HavenCryptoError.code;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
    Error.captureStackTrace?.(this, new.target);
  }
}

/** A sealed value was tampered with, truncated, or presented for a record it was not sealed for. */
export class IntegrityError extends HavenCryptoError {
  static override readonly code = 'integrity';

  override readonly code = IntegrityError.code;

  constructor(message = 'ciphertext failed integrity verification') {
    super(message);
  }
}

/** Which key-encryption key was expected, and where: ids and a file path, never key material. */
export interface ExpectedKey {
  /** The KEK id the wrapped key names. */
  kekId: string;
  /** The keyring file that was searched for it. */
  keyring: string;
}

/** A key could not be unwrapped: unknown KEK, wrong KEK, tampered wrapped key, or wrong context. */
export class KeyUnavailableError extends HavenCryptoError {
  static override readonly code = 'key-unavailable';

  override readonly code = KeyUnavailableError.code;

  /**
   * Set when the provider knows which KEK it looked for and where, so an operator who pointed
   * Haven at the wrong keyring sees it at once (logged; never part of an HTTP answer).
   */
  readonly expected: ExpectedKey | undefined;

  constructor(message = 'key could not be unwrapped', expected?: ExpectedKey) {
    super(message);
    this.expected = expected;
  }
}

/** The owner's data key was destroyed (crypto-shredding): its records are unrecoverable by design. */
export class KeyDestroyedError extends HavenCryptoError {
  static override readonly code = 'key-destroyed';

  override readonly code = KeyDestroyedError.code;

  constructor(message = 'data key has been destroyed') {
    super(message);
  }
}

/** The keyring file does not exist. */
export class KeyringMissingError extends HavenCryptoError {
  static override readonly code = 'keyring-missing';

  override readonly code = KeyringMissingError.code;
}

/** The keyring file exists but is unusable: unreadable, malformed, or readable by others. */
export class KeyringUnreadableError extends HavenCryptoError {
  static override readonly code = 'keyring-unreadable';

  override readonly code = KeyringUnreadableError.code;
}

/** Refusing to overwrite an existing keyring: that would orphan every key it wrapped. */
export class KeyringExistsError extends HavenCryptoError {
  static override readonly code = 'keyring-exists';

  override readonly code = KeyringExistsError.code;
}
