import crypto from 'node:crypto';

/** 32 random bytes, base64url: 256 bits, well above the 128 bits OWASP asks of a session id. */
const SECRET = /^[A-Za-z0-9_-]{43}$/;

export function newSecret(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** True for a string shaped like an id Haven issued (refuses garbage before any lookup). */
export function isWellFormedSecret(value: unknown): value is string {
  return typeof value === 'string' && SECRET.test(value);
}

/**
 * A fast hash suffices: the secret carries 256 random bits, so there is nothing to brute-force,
 * and lookups by hash mean the secret itself is never compared or stored.
 */
export function hashSecret(value: string): Buffer {
  return crypto.createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time comparison of a presented secret against a stored hash. */
export function secretMatches(presented: string | undefined, storedHash: Buffer): boolean {
  if (!isWellFormedSecret(presented)) return false;
  const hash = hashSecret(presented);
  return hash.length === storedHash.length && crypto.timingSafeEqual(hash, storedHash);
}

/**
 * The name "your sessions" shows for a session: derived from the stored hash by a second hash, so
 * it can neither be presented as a cookie nor reveal the key the stores use. 128 bits suffice to
 * tell one person's handful of sessions apart, and a handle only ever matches its owner's.
 */
export function sessionHandle(idHash: Buffer): string {
  return crypto
    .createHash('sha256')
    .update('haven:session-handle:')
    .update(idHash)
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}
