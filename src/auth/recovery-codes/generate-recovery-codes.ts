import { randomBytes as osRandomBytes } from 'node:crypto';
import { InvalidRecoveryCodeCountError, RecoveryCodeRandomnessError } from './errors.js';
import { hashRecoveryCode } from './hash-recovery-code.js';
import {
  RECOVERY_CODE_BYTES,
  canonicalRecoveryCode,
  formatRecoveryCode,
} from './recovery-code-format.js';

export interface RecoveryCodeSet {
  /** Shown to the user once, at enrolment; never stored or logged. */
  codes: string[];
  /** Stored, in the same order; `consumeRecoveryCode` removes one per successful use. */
  hashes: string[];
}

export interface GenerateRecoveryCodesOptions {
  /** Injected for tests only; defaults to the OS CSPRNG. */
  randomBytes?: (size: number) => Uint8Array;
}

/**
 * A fresh set of single-use recovery codes, each `XXXX-XXXX-XXXX-XXXX` with 80 bits from
 * crypto.randomBytes. A new set replaces the old one entirely; the caller stores `hashes`.
 */
export function generateRecoveryCodes(
  n = 10,
  { randomBytes = osRandomBytes }: GenerateRecoveryCodesOptions = {},
): RecoveryCodeSet {
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new InvalidRecoveryCodeCountError();
  const codes: string[] = [];
  const hashes: string[] = [];
  for (let i = 0; i < n; i++) {
    const bytes = randomBytes(RECOVERY_CODE_BYTES);
    if (bytes.length < RECOVERY_CODE_BYTES) throw new RecoveryCodeRandomnessError();
    const code = formatRecoveryCode(bytes);
    const hash = hashRecoveryCode(canonicalRecoveryCode(code)!);
    if (hashes.includes(hash)) throw new RecoveryCodeRandomnessError();
    codes.push(code);
    hashes.push(hash);
  }
  return { codes, hashes };
}
