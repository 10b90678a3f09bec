import { verifyPassword, type PasswordVerification } from './verify-password.js';

/**
 * An argon2id hash, made with CURRENT_ARGON2_PARAMS, of 32 random bytes that were then
 * discarded. Nobody knows a password for it, and `dummyVerify` ignores the outcome anyway.
 *
 * A constant rather than a hash made at first use, so the first unknown-user login is not
 * slower than later ones. A test fails if its parameters drift from CURRENT_ARGON2_PARAMS;
 * when they change, regenerate it with `hashPassword(randomBytes(32).toString('base64url'))`.
 */
export const DUMMY_PASSWORD_HASH =
  '$argon2id$v=19$m=65536,t=3,p=1$eEMO85DPgBWd3V4pX/B73w$0TNQcLgZxbLx1YfQtj+NlCgnnVNwwB5URYUaQbFOvUc';

/**
 * Runs the same argon2 verification as `verifyPassword` and always refuses. Call it when the
 * account does not exist (or has no password), so that "unknown user" and "wrong password" take
 * the same time and return the same result: no user enumeration by timing (SPEC safeguard 1).
 *
 *     const result = user ? await verifyPassword(user.passwordHash, pw) : await dummyVerify(pw);
 */
export async function dummyVerify(password: string): Promise<PasswordVerification> {
  await verifyPassword(DUMMY_PASSWORD_HASH, password);
  return { ok: false, needsRehash: false };
}
