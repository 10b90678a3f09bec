/**
 * Typed errors of password handling. Callers switch on `code`; messages never carry the
 * password or the stored hash, so they are safe to log.
 *
 * A wrong password is not an error: `verifyPassword` returns `{ ok: false }`. These errors mean
 * the server itself is in a bad state (a corrupt stored hash, a missing breach list), and login
 * must fail closed rather than guess.
 */
export class PasswordError extends Error {
  /** Stable, machine-readable reason; safe to log and to return to clients. */
  static readonly code: string = 'password';

  readonly code: string = PasswordError.code;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
    Error.captureStackTrace?.(this, new.target);
  }
}

/** A stored hash is not an argon2 PHC string this module can read. */
export class MalformedPasswordHashError extends PasswordError {
  static override readonly code = 'password-hash-malformed';

  override readonly code = MalformedPasswordHashError.code;

  constructor(message = 'stored password hash is not a valid argon2 PHC string') {
    super(message);
  }
}

/**
 * The common/breached password list could not be loaded. NIST SP 800-63B §3.1.1.2 makes the
 * check mandatory, so a policy check without the list throws instead of passing silently.
 */
export class CommonPasswordListUnavailableError extends PasswordError {
  static override readonly code = 'common-password-list-unavailable';

  override readonly code = CommonPasswordListUnavailableError.code;

  constructor(message = 'common password list could not be loaded') {
    super(message);
  }
}

/** A password far beyond the accepted maximum was given to `hashPassword`. */
export class PasswordInputTooLongError extends PasswordError {
  static override readonly code = 'password-too-long';

  override readonly code = PasswordInputTooLongError.code;

  constructor(message = 'password is longer than any accepted password') {
    super(message);
  }
}

/** `checkPasswordPolicy` was given a role it has no length rule for; refusing beats guessing. */
export class UnknownPasswordRoleError extends PasswordError {
  static override readonly code = 'password-role-unknown';

  override readonly code = UnknownPasswordRoleError.code;

  constructor(message = 'no password policy for this role') {
    super(message);
  }
}
