import crypto from 'node:crypto';

/** Size in bytes of every RFC 6962 hash (SHA-256). */
export const HASH_SIZE = 32;

const LEAF_PREFIX = 0x00;
export const NODE_PREFIX = 0x01;

// crypto.hash (Node >= 20.12) avoids a Hash object per call, which matters when a proof over a
// large tree hashes about one node per leaf. Older Node 20 releases fall back to createHash.
export const sha256: (data: Uint8Array) => Buffer =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest();

/** RFC 6962 §2.1: MTH({d(0)}) = SHA-256(0x00 || d(0)). */
export function leafHash(data: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(1 + data.length);
  input[0] = LEAF_PREFIX;
  input.set(data, 1);
  return sha256(input);
}

/** RFC 6962 §2.1: the interior node over two subtrees, SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(1 + left.length + right.length);
  input[0] = NODE_PREFIX;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return sha256(input);
}

/** RFC 6962 §2.1: the hash of an empty list is the hash of an empty string, MTH({}) = SHA-256(). */
export function emptyRoot(): Buffer {
  return sha256(new Uint8Array(0));
}

/** True when `value` is a byte array of exactly HASH_SIZE bytes. */
export function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}
