/**
 * Typed errors of user management. Callers switch on `code`. Messages never carry an email,
 * a name, a password or a token, so they are safe to log and to show an operator.
 */
export class UserError extends Error {
  readonly code: string = 'user';

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidRoleError extends UserError {
  override readonly code = 'user-role-invalid';
}

export class InvalidEmailError extends UserError {
  override readonly code = 'user-email-invalid';
  constructor() {
    super('not a valid email address');
  }
}

/** Deliberately does not echo the address: the message may reach logs. */
export class DuplicateUserError extends UserError {
  override readonly code = 'user-duplicate';
  constructor() {
    super('a user with that email address already exists');
  }
}

export class InvalidLinkError extends UserError {
  override readonly code = 'user-link-invalid';
}

export class UnknownUserError extends UserError {
  override readonly code = 'user-unknown';
  constructor() {
    super('no such user');
  }
}

/** Resending an invitation to an account that has a password already, or is disabled. */
export class NotInvitedError extends UserError {
  override readonly code = 'user-not-invited';
  constructor() {
    super('the account has no open invitation: it is enrolled or disabled');
  }
}

export class UserDisabledError extends UserError {
  override readonly code = 'user-disabled';
  constructor() {
    super('the user is disabled');
  }
}

/** Unknown, expired and already used tokens are one error, so a token's state does not leak. */
export class InvalidEnrollmentTokenError extends UserError {
  override readonly code = 'enrollment-token-invalid';
  constructor() {
    super('the enrollment link is invalid or has expired');
  }
}

/** Carries only the policy's reasons (too-short, common…), never the password. */
export class PasswordPolicyError extends UserError {
  override readonly code = 'password-policy';
  constructor(readonly reasons: readonly string[]) {
    super(`the password was refused: ${reasons.join(', ')}`);
  }
}

export class InvalidCredentialsError extends UserError {
  override readonly code = 'credentials-invalid';
  constructor() {
    super('the current password is not correct');
  }
}

/** TOTP enrollment out of order: nothing pending to confirm, or a confirmed one already exists. */
export class TotpStateError extends UserError {
  override readonly code = 'totp-state';
}

/** An admin tried to change their own roles: privilege must come from someone else. */
export class SelfRoleChangeError extends UserError {
  override readonly code = 'self-role-change';
  constructor() {
    super('nobody may change their own roles');
  }
}

export class UnknownApprovalError extends UserError {
  override readonly code = 'approval-unknown';
  constructor() {
    super('no such pending change');
  }
}

/** The two-person rule: the requester (or the person changed) cannot be the approver. */
export class SameAdminApprovalError extends UserError {
  override readonly code = 'approval-same-admin';
  constructor() {
    super('a change must be approved by a second admin, not by its requester or subject');
  }
}

/** Already decided by another approval, or expired. */
export class ApprovalClosedError extends UserError {
  override readonly code = 'approval-closed';
  constructor() {
    super('the change was already decided or has expired');
  }
}
