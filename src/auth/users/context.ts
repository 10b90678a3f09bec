import type { AuditDraft } from '../../audit/index.js';
import { openWithKey, sealWithKey, type BlindIndex } from '../../crypto/index.js';
import type { Alert } from '../../alerts/index.js';
import type {
  ApprovalRepository,
  InvitationRepository,
  UserRepository,
  UserRow,
} from '../../store/index.js';
import { dummyVerify, hashPassword, verifyPassword } from '../password/index.js';
import { UnknownUserError, UserDisabledError } from './errors.js';
import { lockSchedule } from '../throttle/index.js';
import { DEFAULT_LOCKOUT_THRESHOLD, isLocked, lockDurationMs } from './lockout.js';

/**
 * Audit actions this module emits. Not yet members of AuditAction (src/audit/entry.ts); the
 * composition root maps them when it wires `recordEvent`.
 */
export type UserEventAction =
  | 'user-create'
  | 'enroll'
  | 'login-password'
  | 'login-totp'
  | 'login-recovery-code'
  | 'lockout'
  | 'user-unlock'
  | 'mfa-enroll'
  | 'mfa-reset'
  | 'password-change'
  | 'password-reset-issued'
  | 'user-disable'
  | 'invitation-resend'
  | 'user-roles-change'
  | 'privilege-request'
  | 'privilege-approve';

/** An audit draft with a user-management action. Ids only: never an email or a password. */
export type UserEventDraft = Omit<AuditDraft, 'action'> & { action: UserEventAction };

/** Who asked for an administrative action (an admin user, or the CLI's operator). */
export interface Actor {
  actorType: AuditDraft['actorType'];
  actorId: string | null;
}

export const SYSTEM_ACTOR: Actor = { actorType: 'system', actorId: null };

/** The password primitives, injectable so tests can observe that unknown users still cost a hash. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<{ ok: boolean; needsRehash: boolean }>;
  dummyVerify(password: string): Promise<{ ok: boolean }>;
}

export const ARGON2_HASHER: PasswordHasher = {
  hash: hashPassword,
  verify: verifyPassword,
  dummyVerify,
};

export interface UserServiceOptions {
  users: UserRepository;
  invitations: InvitationRepository;
  blindIndex: BlindIndex;
  /** 32-byte key sealing emails, names and TOTP secrets (the 'user-data' system key). */
  userDataKey: Buffer;
  clock: () => Date;
  /** Awaited on every event: if the audit write fails, the operation fails (fail closed). */
  recordEvent: (draft: UserEventDraft) => Promise<void>;
  /**
   * Whether a FHIR Patient or Practitioner with this id is stored (and not deleted). A person is
   * linked only to a record that exists, so a record created later cannot claim an account.
   * Without it, no link can be made (fail closed).
   */
  linkExists?: (resourceType: 'Patient' | 'Practitioner', id: string) => Promise<boolean>;
  /** Revokes every session of a user; called on disable, MFA reset and password change. */
  onRevokeSessions?: (userId: string) => Promise<void>;
  /** Lifts other lockouts keyed by the account's email index (the sign-in throttle) on unlock. */
  onUnlock?: (emailIndex: Buffer) => Promise<void>;
  hasher?: PasswordHasher;
  /** Pending account changes under the two-person rule (admin HTTP API). */
  approvals?: ApprovalRepository;
  /** How long a pending change waits for a second admin; default 24 hours. */
  approvalTtlMs?: number;
  /** Raises a security alert (ids only) when a change that reaches PHI is requested or approved. */
  raiseAlert?: (alert: Alert) => Promise<void>;
  /**
   * Hands an enrollment link to the person it is for (email, or the server's terminal), never to
   * the admin. Required for approved creations; without it they fail closed.
   */
  deliverEnrollment?: (to: {
    userId: string;
    email: string;
    token: string;
    expiresAt: string;
  }) => Promise<void>;
  lockoutThreshold?: number;
  /** Lifetime of an enrollment token; default 72 hours. */
  enrollmentTtlMs?: number;
  /** Issuer label shown in authenticator apps; default 'Haven'. */
  totpIssuer?: string;
}

/** What the operations share: resolved options and small helpers. Internal to this folder. */
export class UserContext {
  readonly hasher: PasswordHasher;
  readonly threshold: number;

  constructor(readonly o: UserServiceOptions) {
    this.hasher = o.hasher ?? ARGON2_HASHER;
    this.threshold = o.lockoutThreshold ?? DEFAULT_LOCKOUT_THRESHOLD;
  }

  /** Sealed fields are bound to their user and column, so none can be swapped for another. */
  seal(userId: string, field: 'email' | 'name' | 'totp' | 'approval', text: string): Buffer {
    return sealWithKey(this.o.userDataKey, Buffer.from(text, 'utf8'), aad(userId, field));
  }

  open(userId: string, field: 'email' | 'name' | 'totp' | 'approval', sealed: Buffer): string {
    return openWithKey(this.o.userDataKey, sealed, aad(userId, field)).toString('utf8');
  }

  /**
   * The person's own words a new password must not contain (NIST SP 800-63B §3.1.1.2): the whole
   * email address (its local part and domain) and the display name, opened here and never kept.
   */
  passwordContext(user: UserRow): string[] {
    const words = [this.open(user.id, 'email', user.emailSealed)];
    if (user.nameSealed !== null) words.push(this.open(user.id, 'name', user.nameSealed));
    return words;
  }

  async event(draft: UserEventDraft): Promise<void> {
    await this.o.recordEvent(draft);
  }

  async revokeSessions(userId: string): Promise<void> {
    await this.o.onRevokeSessions?.(userId);
  }

  async requireUser(userId: string): Promise<UserRow> {
    const user = await this.o.users.findById(userId);
    if (!user) throw new UnknownUserError();
    return user;
  }

  async requireActiveUser(userId: string): Promise<UserRow> {
    const user = await this.requireUser(userId);
    if (user.disabledAt !== null) throw new UserDisabledError();
    return user;
  }

  locked(user: UserRow): boolean {
    return isLocked(user.lockedUntil, this.o.clock());
  }

  /**
   * Counts a guess (password or second factor) BEFORE it is verified, atomically, with the lock
   * it would leave as a failure (issue 13: parallel guesses must not outrun the count). Undefined
   * when the account is locked: the guess must then be refused without being evaluated.
   */
  reserveAttempt(userId: string): Promise<AttemptReservation | undefined> {
    const schedule = lockSchedule(this.o.clock(), this.threshold, (n) =>
      lockDurationMs(n, this.threshold),
    );
    return this.o.users.reserveAttempt(userId, schedule);
  }

  /** A reserved guess that was right: its count is given back and its own lock lifted. */
  async releaseAttempt(userId: string, r: AttemptReservation): Promise<void> {
    await this.o.users.releaseAttempt(userId, r.lockedUntil, this.o.clock().toISOString());
  }

  /** A reserved guess that was wrong: it stays counted; audits the lock it set, if any. */
  async attemptFailed(user: UserRow, r: AttemptReservation): Promise<void> {
    const ms = lockDurationMs(r.failures, this.threshold);
    if (ms === 0) return;
    await this.event({
      action: 'lockout',
      outcome: 'success',
      actorType: 'system',
      actorId: null,
      detail: { subject: user.id, failures: r.failures, lockedSeconds: ms / 1000 },
    });
  }
}

/** What a granted attempt counted: the failures now recorded and the lock it set. */
export interface AttemptReservation {
  failures: number;
  lockedUntil: string | null;
}

function aad(userId: string, field: string): Buffer {
  return Buffer.from(`haven-user|${userId}|${field}`, 'utf8');
}
