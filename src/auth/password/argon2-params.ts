/**
 * The argon2id cost every new password hash is made with. See
 * docs/decisions/0004-passwords-and-second-factors.md for the measurements behind it.
 *
 * OWASP's Password Storage Cheat Sheet sets a floor of m=19 MiB, t=2, p=1. We use RFC 9106
 * §4's second recommended option (64 MiB, t=3) with one lane: 60-115 ms median per hash on the
 * reference two-core machine (depending on load), well under the ~300 ms a login can afford,
 * and 3.4x the memory floor, which is what makes GPU/ASIC guessing expensive.
 *
 * Raising any value is safe: existing hashes keep verifying (their parameters are in the PHC
 * string) and `verifyPassword` reports `needsRehash` so they are upgraded at the next login.
 */
export interface Argon2Params {
  /** Memory in KiB (the PHC `m=`). */
  readonly memoryCost: number;
  /** Passes over memory (the PHC `t=`). */
  readonly timeCost: number;
  /** Lanes (the PHC `p=`). */
  readonly parallelism: number;
  /** Raw hash length in bytes. */
  readonly outputLen: number;
}

export const CURRENT_ARGON2_PARAMS: Argon2Params = Object.freeze({
  memoryCost: 65536,
  timeCost: 3,
  parallelism: 1,
  outputLen: 32,
});

/** Algorithm.Argon2id in @node-rs/argon2; its enum is `const`, which isolatedModules can't import. */
export const ARGON2ID = 2;

/** Version.V0x13 (argon2 1.3, PHC `v=19`) in @node-rs/argon2. */
export const ARGON2_VERSION_0x13 = 1;

/** Salt length this module expects of a hash it made (the library's 16 random bytes). */
export const MIN_SALT_BYTES = 16;
