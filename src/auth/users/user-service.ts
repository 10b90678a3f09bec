import type { UserRole } from './roles.js';
import { toAccount, type Account } from './account.js';
import { addUser, type AddedUser, type AddUserInput } from './add-user.js';
import {
  changeRoles,
  disableUser,
  listUsers,
  resetMfa,
  unlockUser,
  type UserListEntry,
} from './admin.js';
import {
  approve,
  listApprovals,
  requestRoleChange,
  requestUserCreate,
  type AdminChange,
  type PendingApproval,
} from './approvals.js';
import { changePassword } from './change-password.js';
import { resendInvitation } from './resend-invitation.js';
import {
  UserContext,
  type Actor,
  type AttemptReservation,
  type UserServiceOptions,
} from './context.js';
import { enroll } from './enroll.js';
import {
  externalFactorFailed,
  externalFactorSucceeded,
  reserveExternalFactor,
  useRecoveryCode,
  verifyTotp,
  type SecondFactorResult,
} from './second-factor.js';
import { issuePasswordReset, resetPassword } from './reset-password.js';
import {
  reauthenticateWithPassword,
  recordPasswordStep,
  signInWithPassword,
  type SignInResult,
} from './sign-in.js';
import {
  beginTotpEnrollment,
  confirmTotp,
  type TotpConfirmation,
  type TotpEnrollment,
} from './totp-enrollment.js';

/**
 * People, passwords and second factors (SPEC safeguards 1 and 2). A facade over one function
 * per operation in this folder; each is short enough to audit on its own.
 */
export class UserService {
  readonly #ctx: UserContext;

  constructor(options: UserServiceOptions) {
    this.#ctx = new UserContext(options);
  }

  addUser(input: AddUserInput, actor?: Actor): Promise<AddedUser> {
    return addUser(this.#ctx, input, actor);
  }

  enroll(token: string, password: string): Promise<{ userId: string }> {
    return enroll(this.#ctx, token, password);
  }

  /**
   * First factor. Refusals are always recorded; with `recordSuccess: false` a success is not,
   * and the caller records the real outcome with `recordPasswordStep` once it knows it.
   */
  verifyPassword(
    email: string,
    password: string,
    o: { recordSuccess?: boolean } = {},
  ): Promise<SignInResult> {
    return signInWithPassword(this.#ctx, email, password, o);
  }

  recordPasswordStep(
    userId: string,
    o: { outcome: 'success'; rehashed: boolean } | { outcome: 'failure'; reason: string },
  ): Promise<void> {
    return recordPasswordStep(this.#ctx, userId, o);
  }

  /** A single-use, one-hour password-reset token for an enrolled person. */
  issuePasswordReset(
    userId: string,
    actor?: Actor,
  ): Promise<{ resetToken: string; expiresAt: string }> {
    return issuePasswordReset(this.#ctx, userId, actor);
  }

  /** Sets a new password from a reset token; ends every session of that person. */
  resetPassword(token: string, password: string): Promise<void> {
    return resetPassword(this.#ctx, token, password);
  }

  /** Password re-authentication of a signed-in user, before a sensitive action. */
  reauthenticate(userId: string, password: string): Promise<SignInResult> {
    return reauthenticateWithPassword(this.#ctx, userId, password);
  }

  changePassword(userId: string, current: string, next: string): Promise<void> {
    return changePassword(this.#ctx, userId, current, next);
  }

  beginTotpEnrollment(userId: string): Promise<TotpEnrollment> {
    return beginTotpEnrollment(this.#ctx, userId);
  }

  confirmTotp(userId: string, code: string): Promise<TotpConfirmation> {
    return confirmTotp(this.#ctx, userId, code);
  }

  verifyTotp(userId: string, code: string): Promise<SecondFactorResult> {
    return verifyTotp(this.#ctx, userId, code);
  }

  useRecoveryCode(userId: string, code: string): Promise<SecondFactorResult> {
    return useRecoveryCode(this.#ctx, userId, code);
  }

  /** A passkey second factor: count the assertion before verifying it (undefined: locked). */
  reserveSecondFactor(userId: string): Promise<AttemptReservation | undefined> {
    return reserveExternalFactor(this.#ctx, userId);
  }

  secondFactorFailed(userId: string, reserved: AttemptReservation): Promise<void> {
    return externalFactorFailed(this.#ctx, userId, reserved);
  }

  secondFactorSucceeded(userId: string): Promise<void> {
    return externalFactorSucceeded(this.#ctx, userId);
  }

  disable(userId: string, actor?: Actor): Promise<void> {
    return disableUser(this.#ctx, userId, actor);
  }

  /** New roles for a person; ends their sessions and app tokens (a change of privilege). */
  changeRoles(userId: string, roles: readonly string[], actor?: Actor): Promise<UserRole[]> {
    return changeRoles(this.#ctx, userId, roles, actor);
  }

  /**
   * An admin's request over HTTP: applied at once when it grants nothing that reaches PHI,
   * else stored for a second admin (two-person rule). Never changes the requester's own roles.
   */
  requestUserCreate(
    input: AddUserInput,
    actor: Actor,
  ): Promise<AdminChange<{ userId: string; enrollmentToken: string; expiresAt: string }>> {
    return requestUserCreate(this.#ctx, input, actor);
  }

  requestRoleChange(
    userId: string,
    roles: readonly string[],
    actor: Actor,
  ): Promise<AdminChange<{ roles: UserRole[] }>> {
    return requestRoleChange(this.#ctx, userId, roles, actor);
  }

  listApprovals(): Promise<PendingApproval[]> {
    return listApprovals(this.#ctx);
  }

  approve(approvalId: string, approver: Actor): Promise<{ kind: string; subjectId: string }> {
    return approve(this.#ctx, approvalId, approver);
  }

  resetMfa(userId: string, actor?: Actor): Promise<void> {
    return resetMfa(this.#ctx, userId, actor);
  }

  resendInvitation(userId: string, actor: Actor): Promise<{ expiresAt: string }> {
    return resendInvitation(this.#ctx, userId, actor);
  }

  unlock(userId: string, actor?: Actor): Promise<void> {
    return unlockUser(this.#ctx, userId, actor);
  }

  list(): Promise<UserListEntry[]> {
    return listUsers(this.#ctx);
  }

  /**
   * Where to tell a person that something waits (src/notify): their account's email. Undefined
   * for an unknown or disabled account, which is told nothing.
   */
  async contactOf(userId: string): Promise<{ userId: string; email: string } | undefined> {
    const row = await this.#ctx.o.users.findById(userId);
    if (!row || row.disabledAt !== null) return undefined;
    return { userId: row.id, email: this.#ctx.open(row.id, 'email', row.emailSealed) };
  }

  /** The enabled accounts linked to a patient, with their emails (appointment notices). */
  async contactsOfPatient(patientId: string): Promise<{ userId: string; email: string }[]> {
    const rows = await this.#ctx.o.users.findByPatientId(patientId);
    return rows
      .filter((r) => r.disabledAt === null)
      .map((r) => ({ userId: r.id, email: this.#ctx.open(r.id, 'email', r.emailSealed) }));
  }

  /**
   * Enabled accounts with a patient or practitioner link, without names or addresses: who may
   * take part in a patient's message threads (src/messaging).
   */
  async linkedAccounts(): Promise<Account[]> {
    const rows = await this.#ctx.o.users.list();
    return rows
      .filter((r) => r.disabledAt === null && (r.patientId !== null || r.practitionerId !== null))
      .map(toAccount);
  }

  /** The account behind an id, for resolving a session's principal. Undefined if disabled. */
  async account(userId: string): Promise<Account | undefined> {
    const row = await this.#ctx.o.users.findById(userId);
    if (!row || row.disabledAt !== null) return undefined;
    return toAccount(row);
  }
}
