import { generateSync, verifySync } from 'otplib';
import { InvalidTotpInputError, InvalidTotpSecretError } from './errors.js';
import { TOTP_ALGORITHM, TOTP_PERIOD_SECONDS, TOTP_WINDOW_STEPS } from './totp-params.js';

/**
 * RFC 6238 with the digit count as a parameter. The product always uses 6 (`verifyTotp`); the
 * parameter exists so tests can check RFC 6238 Appendix B's 8-digit vectors through the same
 * code path. Not part of the folder's public surface.
 */
export type TotpSecret = string | Uint8Array;

/** RFC 4226 §5.3 allows 6 to 8 digits (its Appendix C code supports up to 8). */
export type TotpDigits = 6 | 7 | 8;

export type TotpVerification = { ok: true; step: number } | { ok: false };

export interface VerifyTotpCodeOptions {
  now: Date;
  /** The step of the last code this user redeemed; codes from it or earlier are refused. */
  lastUsedStep?: number;
  digits: TotpDigits;
}

/** The code for the step containing `at`. */
export function totpCodeAt(secret: TotpSecret, at: Date, digits: TotpDigits): string {
  const epoch = epochSeconds(at);
  return withSecretErrors(() =>
    generateSync({ secret, epoch, digits, algorithm: TOTP_ALGORITHM, period: TOTP_PERIOD_SECONDS }),
  );
}

/** The RFC 6238 time step T = floor(unix time / 30) containing `at`. */
export function totpStepAt(at: Date): number {
  return Math.floor(epochSeconds(at) / TOTP_PERIOD_SECONDS);
}

export function verifyTotpCode(
  secret: TotpSecret,
  code: string,
  { now, lastUsedStep, digits }: VerifyTotpCodeOptions,
): TotpVerification {
  const epoch = epochSeconds(now);
  if (lastUsedStep !== undefined && (!Number.isSafeInteger(lastUsedStep) || lastUsedStep < 0)) {
    throw new InvalidTotpInputError('lastUsedStep must be a non-negative integer');
  }
  // People type "123 456" or paste full-width digits from an IME; anything else is simply wrong.
  const token = code.normalize('NFKC').replace(/\s+/gu, '');
  if (!new RegExp(`^[0-9]{${digits}}$`).test(token)) return { ok: false };

  // RFC 6238 §5.2: a verifier MUST NOT accept the second attempt of a code it has accepted.
  // Every step up to lastUsedStep is spent; if that covers the whole window, nothing can match
  // (and otplib would throw rather than say so).
  const newestStep = Math.floor(epoch / TOTP_PERIOD_SECONDS) + TOTP_WINDOW_STEPS;
  if (lastUsedStep !== undefined && lastUsedStep >= newestStep) return { ok: false };

  // otplib tries each step of the window and compares with its constant-time equality, so
  // neither a near miss nor the position of the matching step shows in the timing.
  const result = withSecretErrors(() =>
    verifySync({
      secret,
      token,
      epoch,
      digits,
      algorithm: TOTP_ALGORITHM,
      period: TOTP_PERIOD_SECONDS,
      epochTolerance: TOTP_WINDOW_STEPS * TOTP_PERIOD_SECONDS,
      ...(lastUsedStep === undefined ? {} : { afterTimeStep: lastUsedStep }),
    }),
  );
  return result.valid && 'timeStep' in result ? { ok: true, step: result.timeStep } : { ok: false };
}

function epochSeconds(at: Date): number {
  const ms = at.getTime();
  if (!Number.isFinite(ms) || ms < 0) throw new InvalidTotpInputError('time must be a valid Date');
  return Math.floor(ms / 1000);
}

function withSecretErrors<T>(run: () => T): T {
  try {
    return run();
  } catch {
    // Code and time were validated above, so what otplib refuses here is the secret. Its
    // message can quote the secret's characters; ours does not.
    throw new InvalidTotpSecretError();
  }
}
