import { InvalidTreeParametersError } from './errors.js';
import { emptyRoot, HASH_SIZE, isHash, NODE_PREFIX, sha256 } from './hash.js';

/**
 * MTH(D[n]) of RFC 6962 §2.1, computed from the leaf hashes.
 *
 * Hashing pairs level by level and carrying an odd last node up unchanged builds exactly the tree
 * of the recursive definition (split at the largest power of two below n), without recursion.
 */
export function rootFromLeafHashes(leafHashes: readonly Uint8Array[]): Buffer {
  for (const hash of leafHashes) {
    if (!isHash(hash)) throw new InvalidTreeParametersError('every leaf hash must be 32 bytes');
  }
  return rootOfHashes(leafHashes);
}

const pair = Buffer.alloc(1 + 2 * HASH_SIZE);
pair[0] = NODE_PREFIX;

/**
 * rootFromLeafHashes without the input check, for callers that have checked already.
 * Levels are packed into one buffer and reduced in place, so a million-leaf subtree costs about a
 * million SHA-256 calls and no per-node garbage beyond each digest.
 */
export function rootOfHashes(leafHashes: readonly Uint8Array[]): Buffer {
  const n = leafHashes.length;
  if (n === 0) return emptyRoot();
  if (n === 1) return Buffer.from(leafHashes[0]!);
  let count = Math.ceil(n / 2);
  const level = Buffer.allocUnsafe(count * HASH_SIZE);
  for (let i = 0; i + 1 < n; i += 2) {
    pair.set(leafHashes[i]!, 1);
    pair.set(leafHashes[i + 1]!, 1 + HASH_SIZE);
    sha256(pair).copy(level, (i / 2) * HASH_SIZE);
  }
  if (n % 2 === 1) level.set(leafHashes[n - 1]!, (count - 1) * HASH_SIZE);
  // Node j/2 of the next level is written only after nodes j and j+1 were read, and j/2 <= j.
  while (count > 1) {
    const next = Math.ceil(count / 2);
    for (let j = 0; j + 1 < count; j += 2) {
      level.copy(pair, 1, j * HASH_SIZE, (j + 2) * HASH_SIZE);
      sha256(pair).copy(level, (j / 2) * HASH_SIZE);
    }
    if (count % 2 === 1) level.copy(level, (next - 1) * HASH_SIZE, (count - 1) * HASH_SIZE);
    count = next;
  }
  return Buffer.from(level.subarray(0, HASH_SIZE));
}
