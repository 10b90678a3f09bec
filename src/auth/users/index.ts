// Public surface of user management (SPEC safeguards 1 and 2). Other folders import from here only.
export { UserService } from './user-service.js';
export type {
  UserServiceOptions,
  UserEventAction,
  UserEventDraft,
  Actor,
  PasswordHasher,
} from './context.js';
export { ARGON2_HASHER, SYSTEM_ACTOR } from './context.js';
export type { Account } from './account.js';
export type { AddUserInput, AddedUser } from './add-user.js';
export { ENROLLMENT_TTL_MS, hashEnrollmentToken } from './add-user.js';
export type { UserListEntry, UserStatus } from './admin.js';
export type { SignInResult } from './sign-in.js';
export type { SecondFactorResult } from './second-factor.js';
export type { TotpEnrollment, TotpConfirmation } from './totp-enrollment.js';
export { RECOVERY_CODE_COUNT } from './totp-enrollment.js';
export { USER_ROLES, parseRoles, passwordRoleFor, type UserRole } from './roles.js';
export { normalizeEmail, emailIndexTerm } from './email.js';
export { DEFAULT_LOCKOUT_THRESHOLD, lockDurationMs } from './lockout.js';
export {
  UserError,
  InvalidRoleError,
  InvalidEmailError,
  DuplicateUserError,
  InvalidLinkError,
  UnknownUserError,
  UserDisabledError,
  InvalidEnrollmentTokenError,
  PasswordPolicyError,
  InvalidCredentialsError,
  TotpStateError,
  SelfRoleChangeError,
  UnknownApprovalError,
  SameAdminApprovalError,
  ApprovalClosedError,
} from './errors.js';
export type { AdminChange, PendingApproval } from './approvals.js';
export { APPROVAL_TTL_MS } from './approvals.js';
export { APPROVAL_ROLES } from './approval-policy.js';
