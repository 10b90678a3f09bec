import { timingSafeEqual } from 'node:crypto';
import { InvalidRecoveryCodeHashError } from './errors.js';
import { RECOVERY_CODE_HASH_PREFIX, hashRecoveryCode } from './hash-recovery-code.js';
import { canonicalRecoveryCode } from './recovery-code-format.js';

export type RecoveryCodeConsumption = { ok: true; remaining: string[] } | { ok: false };

const STORED = /^rc1\$[0-9a-f]{64}$/;

/**
 * Checks a typed recovery code against the user's stored hashes. On a match, returns the
 * hashes without it: the caller must store `remaining` in place of the old list, atomically
 * (compare-and-set on the old list, or a row delete that must affect exactly one row), or two
 * concurrent requests could both spend one code. `hashes` itself is not modified.
 *
 * Every stored hash is compared, with timingSafeEqual and no early exit, so the time taken
 * says neither whether nor where a code matched. Throws `InvalidRecoveryCodeHashError` if a
 * stored hash is malformed.
 */
export function consumeRecoveryCode(
  code: string,
  hashes: readonly string[],
): RecoveryCodeConsumption {
  const stored = hashes.map(decodeStoredHash);
  const canonical = canonicalRecoveryCode(code);
  if (canonical === undefined) return { ok: false };
  const candidate = decodeStoredHash(hashRecoveryCode(canonical));

  let match = -1;
  stored.forEach((digest, i) => {
    if (timingSafeEqual(digest, candidate) && match === -1) match = i;
  });
  if (match === -1) return { ok: false };
  return { ok: true, remaining: hashes.filter((_, i) => i !== match) };
}

function decodeStoredHash(hash: string): Buffer {
  if (!STORED.test(hash)) throw new InvalidRecoveryCodeHashError();
  return Buffer.from(hash.slice(RECOVERY_CODE_HASH_PREFIX.length), 'hex');
}
