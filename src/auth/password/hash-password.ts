import { hash } from '@node-rs/argon2';
import { ARGON2ID, ARGON2_VERSION_0x13, CURRENT_ARGON2_PARAMS } from './argon2-params.js';
import { PasswordInputTooLongError } from './errors.js';
import { normalizePassword } from './normalize-password.js';
import { MAX_PASSWORD_INPUT_UNITS } from './policy-limits.js';

/**
 * Hashes a password with argon2id and a fresh 16-byte salt from the OS CSPRNG, returning the
 * PHC string (`$argon2id$v=19$m=65536,t=3,p=1$<salt>$<hash>`). The parameters travel with the
 * hash, so they can be raised later without breaking stored hashes.
 *
 * Check `checkPasswordPolicy` first; this only refuses input too large to be any valid password.
 */
export async function hashPassword(password: string): Promise<string> {
  if (password.length > MAX_PASSWORD_INPUT_UNITS) throw new PasswordInputTooLongError();
  return hash(normalizePassword(password), {
    algorithm: ARGON2ID,
    version: ARGON2_VERSION_0x13,
    ...CURRENT_ARGON2_PARAMS,
  });
}
