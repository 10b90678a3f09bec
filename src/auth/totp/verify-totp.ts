import { verifyTotpCode, type TotpVerification } from './totp-core.js';
import { TOTP_DIGITS } from './totp-params.js';

export type { TotpVerification } from './totp-core.js';

export interface VerifyTotpOptions {
  /** Injected so that tests, and a server with a Clock, control time. */
  now: Date;
  /**
   * The `step` returned by this user's last successful verification, if any. Store it with the
   * secret and update it atomically on success (compare-and-set), or two racing requests could
   * both redeem one code.
   */
  lastUsedStep?: number;
}

/**
 * Verifies a 6-digit RFC 6238 code (SHA-1, 30 s) against `now` with one step of tolerance either
 * side. Refuses a code whose step is at or before `lastUsedStep`, so a code that was watched
 * or logged as its owner used it cannot be used again (RFC 6238 §5.2). Returns the step for the
 * caller to record. Throws `InvalidTotpSecretError` for a corrupt secret and
 * `InvalidTotpInputError` for an invalid `now` or `lastUsedStep`.
 */
export function verifyTotp(
  secret: string,
  code: string,
  { now, lastUsedStep }: VerifyTotpOptions,
): TotpVerification {
  return verifyTotpCode(secret, code, { now, lastUsedStep, digits: TOTP_DIGITS });
}
