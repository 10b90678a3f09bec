/**
 * Typed errors of TOTP. A wrong, malformed or replayed code is not an error: `verifyTotp`
 * returns `{ ok: false }`. These mean the server passed something broken (a corrupt stored
 * secret, an impossible last-used step), and the login must fail closed. Messages never carry
 * the secret or the code.
 */
export class TotpError extends Error {
  /** Stable, machine-readable reason; safe to log and to return to clients. */
  static readonly code: string = 'totp';

  readonly code: string = TotpError.code;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
    Error.captureStackTrace?.(this, new.target);
  }
}

/** The stored secret is not base32, or shorter than the 128 bits RFC 4226 §4 requires. */
export class InvalidTotpSecretError extends TotpError {
  static override readonly code = 'totp-secret-invalid';

  override readonly code = InvalidTotpSecretError.code;

  constructor(message = 'TOTP secret is not a valid base32 secret of at least 128 bits') {
    super(message);
  }
}

/** An argument other than the secret or the code is unusable (time, last step, label). */
export class InvalidTotpInputError extends TotpError {
  static override readonly code = 'totp-input-invalid';

  override readonly code = InvalidTotpInputError.code;
}
