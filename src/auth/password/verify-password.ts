import { verify } from '@node-rs/argon2';
import { MalformedPasswordHashError } from './errors.js';
import { needsRehash } from './needs-rehash.js';
import { normalizePassword } from './normalize-password.js';
import { parsePasswordHash } from './parse-password-hash.js';
import { MAX_PASSWORD_INPUT_UNITS } from './policy-limits.js';

export interface PasswordVerification {
  ok: boolean;
  /** True only when `ok`: re-hash the password with `hashPassword` and store the new hash. */
  needsRehash: boolean;
}

/** Verified in place of an over-long input, so refusing it costs the same as a wrong password. */
const OVERLONG_STAND_IN = '\u0000overlong';

/**
 * Checks a password against a stored argon2 PHC hash. The parameters are read from the hash,
 * so hashes made under older settings still verify; `needsRehash` tells the caller to upgrade.
 *
 * The argon2 library compares the derived key in constant time. A wrong password and an absurdly
 * long one both run one full argon2 verification, so response time says nothing about either.
 * Throws `MalformedPasswordHashError` when the stored hash is unreadable (a server fault).
 */
export async function verifyPassword(
  storedHash: string,
  password: string,
): Promise<PasswordVerification> {
  parsePasswordHash(storedHash);
  const tooLong = password.length > MAX_PASSWORD_INPUT_UNITS;
  let matches: boolean;
  try {
    matches = await verify(storedHash, tooLong ? OVERLONG_STAND_IN : normalizePassword(password));
  } catch {
    throw new MalformedPasswordHashError();
  }
  const ok = matches && !tooLong;
  return { ok, needsRehash: ok && needsRehash(storedHash) };
}
