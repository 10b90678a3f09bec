import { emptyRoot, isHash, nodeHash } from './hash.js';
import { half, isOdd, isPowerOfTwo, isTreeNumber } from './tree-math.js';

/**
 * RFC 9162 §2.1.4.2: true iff `proof` shows that the tree of size `oldSize` with root `oldRoot`
 * is a prefix of the tree of size `newSize` with root `newRoot`. Never throws.
 *
 * Edge cases RFC 9162 leaves to the caller: equal sizes need equal roots and an empty proof; an
 * old size of 0 needs an empty proof and oldRoot = MTH({}) = SHA-256("") (the empty tree has one
 * root, so any other value is a forged checkpoint even though every tree extends the empty one).
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!isTreeNumber(oldSize) || !isTreeNumber(newSize) || oldSize > newSize) return false;
  if (!isHash(oldRoot) || !isHash(newRoot) || !Array.isArray(proof) || !proof.every(isHash)) {
    return false;
  }
  const first = Buffer.from(oldRoot);
  if (oldSize === newSize) return proof.length === 0 && first.equals(newRoot);
  if (oldSize === 0) return proof.length === 0 && first.equals(emptyRoot());
  if (proof.length === 0) return false;

  // When the old tree is a perfect subtree of the new one its root is not in the proof.
  const path: readonly Uint8Array[] = isPowerOfTwo(oldSize) ? [first, ...proof] : proof;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false; // the proof is longer than the path to the new root
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && first.equals(fr) && Buffer.from(sr).equals(newRoot);
}
