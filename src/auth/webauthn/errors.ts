/**
 * Typed errors of WebAuthn. Callers switch on `code`. Messages never carry a user id, a name, a
 * credential id or a challenge, so they are safe to log and to show.
 */
export class WebauthnError extends Error {
  readonly code: string = 'webauthn';

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The relying-party configuration cannot work (WebAuthn §5.1.4.1: the RP ID must be a registrable suffix of the origin's host). */
export class WebauthnConfigError extends WebauthnError {
  override readonly code = 'webauthn-config';
}

/**
 * A registration response was refused: no pending challenge, or it failed verification
 * (WebAuthn §7.1). One error for every cause, so a response's flaw is not revealed to the client.
 */
export class WebauthnRegistrationError extends WebauthnError {
  override readonly code = 'webauthn-registration-refused';
  constructor(readonly reason: RegistrationRefusal) {
    super(`the WebAuthn registration was refused (${reason})`);
  }
}

export type RegistrationRefusal = 'no-challenge' | 'invalid-response' | 'counter-out-of-range';

/** The credential id is already registered (WebAuthn §7.1 step 25: refuse, do not re-bind it). */
export class CredentialAlreadyRegisteredError extends WebauthnError {
  override readonly code = 'webauthn-credential-exists';
  constructor() {
    super('that authenticator is already registered');
  }
}

/** A second-factor challenge was asked for a user with no registered credential. */
export class NoWebauthnCredentialsError extends WebauthnError {
  override readonly code = 'webauthn-no-credentials';
  constructor() {
    super('the user has no registered WebAuthn credential');
  }
}
