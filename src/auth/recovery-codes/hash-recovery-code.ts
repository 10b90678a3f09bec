import { createHash } from 'node:crypto';

/**
 * Stored form of a recovery code: `rc1$` + hex SHA-256 over a domain label and the canonical
 * symbols. The prefix names the scheme so a later change can coexist with stored sets.
 *
 * Why not argon2, as for passwords: a password is low-entropy, so each guess against a stolen
 * hash must be made expensive. A recovery code carries 80 random bits; even at 10^12 SHA-256
 * guesses per second, finding one of ten codes takes ~2^80/10^13 s ≈ 3.8 million years. Argon2
 * would add nothing there, and checking a set of ten at ~100 ms each would cost a second of
 * CPU and 64 MiB per attempt, turning the recovery endpoint into a denial-of-service lever.
 */
export const RECOVERY_CODE_HASH_PREFIX = 'rc1$';

const DOMAIN = 'haven-recovery-code/1\u0000';

/** `canonical` must come from `canonicalRecoveryCode`. */
export function hashRecoveryCode(canonical: string): string {
  return (
    RECOVERY_CODE_HASH_PREFIX +
    createHash('sha256').update(DOMAIN).update(canonical, 'utf8').digest('hex')
  );
}
