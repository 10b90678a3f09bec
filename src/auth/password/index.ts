// Public surface of password handling (SPEC safeguard 1). Other folders import from here only.
export { hashPassword } from './hash-password.js';
export { verifyPassword, type PasswordVerification } from './verify-password.js';
export { dummyVerify } from './dummy-verify.js';
export { needsRehash } from './needs-rehash.js';
export { parsePasswordHash, type PasswordHashParams } from './parse-password-hash.js';
export {
  checkPasswordPolicy,
  type PolicyOptions,
  type PolicyReason,
  type PolicyResult,
} from './check-password-policy.js';
export { commonPasswordSet } from './common-passwords.js';
export { CURRENT_ARGON2_PARAMS, type Argon2Params } from './argon2-params.js';
export { MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH, type PasswordRole } from './policy-limits.js';
export {
  PasswordError,
  MalformedPasswordHashError,
  CommonPasswordListUnavailableError,
  PasswordInputTooLongError,
  UnknownPasswordRoleError,
} from './errors.js';
