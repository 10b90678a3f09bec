/**
 * Typed errors of recovery codes. A wrong or already used code is not an error:
 * `consumeRecoveryCode` returns `{ ok: false }`. These mean the caller or the stored state is
 * broken, so the recovery must fail closed. Messages never carry a code or a hash.
 */
export class RecoveryCodeError extends Error {
  /** Stable, machine-readable reason; safe to log and to return to clients. */
  static readonly code: string = 'recovery-code';

  readonly code: string = RecoveryCodeError.code;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
    Error.captureStackTrace?.(this, new.target);
  }
}

/** A stored hash is not one `generateRecoveryCodes` produced (corrupt or foreign data). */
export class InvalidRecoveryCodeHashError extends RecoveryCodeError {
  static override readonly code = 'recovery-code-hash-invalid';

  override readonly code = InvalidRecoveryCodeHashError.code;

  constructor(message = 'stored recovery code hash is malformed') {
    super(message);
  }
}

/** The number of codes asked for is not an integer from 1 to 100. */
export class InvalidRecoveryCodeCountError extends RecoveryCodeError {
  static override readonly code = 'recovery-code-count-invalid';

  override readonly code = InvalidRecoveryCodeCountError.code;

  constructor(message = 'recovery code count must be an integer from 1 to 100') {
    super(message);
  }
}

/**
 * Two codes of one set came out equal. With 80 random bits each that happens about once in
 * 2^73 sets, so in practice it means the random source is broken; refuse rather than hand out
 * predictable codes.
 */
export class RecoveryCodeRandomnessError extends RecoveryCodeError {
  static override readonly code = 'recovery-code-rng-failure';

  override readonly code = RecoveryCodeRandomnessError.code;

  constructor(message = 'random source produced duplicate recovery codes') {
    super(message);
  }
}
