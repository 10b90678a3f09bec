import {
  ARGON2ID,
  ARGON2_VERSION_0x13,
  CURRENT_ARGON2_PARAMS,
  MIN_SALT_BYTES,
  type Argon2Params,
} from './argon2-params.js';
import { parsePasswordHash } from './parse-password-hash.js';

/**
 * Whether a stored hash is weaker than what `hashPassword` makes today, so the caller should
 * re-hash the password (which it holds in clear only at a successful login) and store the new hash.
 *
 * "Weaker" rather than "different": a hash made with more memory and fewer passes than current
 * is not downgraded. Memory is what GPUs and ASICs lack, so less memory alone is enough; less
 * total work (memory x passes) also counts. Parallelism does not change an attacker's cost per
 * guess, so it is ignored. Throws `MalformedPasswordHashError` for an unreadable hash.
 */
export function needsRehash(hash: string, current: Argon2Params = CURRENT_ARGON2_PARAMS): boolean {
  const p = parsePasswordHash(hash);
  return (
    p.algorithm !== ARGON2ID ||
    p.version !== ARGON2_VERSION_0x13 ||
    p.memoryCost < current.memoryCost ||
    p.memoryCost * p.timeCost < current.memoryCost * current.timeCost ||
    p.outputLen < current.outputLen ||
    p.saltLen < MIN_SALT_BYTES
  );
}
