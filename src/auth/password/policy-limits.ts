/**
 * Length limits of NIST SP 800-63B §3.1.1.2, counted in Unicode code points after NFKC.
 *
 * 63B requires at least 8 characters for a password chosen by the subscriber, and 15 when the
 * password is the only factor. Every Haven role that can see PHI must also use a second factor,
 * so 8 is the floor for patients; staff hold access to many patients' records, so the product
 * specification raises theirs to 12.
 */
export type PasswordRole = 'staff' | 'patient';

export const MIN_PASSWORD_LENGTH: Readonly<Record<PasswordRole, number>> = Object.freeze({
  staff: 12,
  patient: 8,
});

/** 63B: verifiers SHOULD permit at least 64 characters. We accept up to 256. */
export const MAX_PASSWORD_LENGTH = 256;

/**
 * Cheap bound on raw input, in UTF-16 code units, checked before any normalization or hashing
 * so that a megabyte "password" costs nothing. NFKC can shrink text (composition, Hangul jamo)
 * but not by 16x, so nothing longer than this can be ≤ 256 code points after normalization.
 */
export const MAX_PASSWORD_INPUT_UNITS = 4096;

/** The shortest password any role may choose; shorter list entries can never matter. */
export const SHORTEST_ALLOWED_LENGTH = Math.min(...Object.values(MIN_PASSWORD_LENGTH));
