import { InvalidTreeParametersError } from './errors.js';
import { subtreeRoot, type LeafHashSource } from './leaf-source.js';
import { isTreeNumber, largestPowerOfTwoBelow } from './tree-math.js';

/**
 * PROOF(m, D[n]) of RFC 6962 §2.1.2: the consistency proof that the tree of the first `oldSize`
 * leaves is a prefix of the tree of the first `newSize` leaves. Empty when the sizes are equal or
 * the old tree is empty (every tree extends the empty one).
 */
export function consistencyProof(
  oldSize: number,
  newSize: number,
  getLeafHashes: LeafHashSource,
): Buffer[] {
  if (!isTreeNumber(oldSize) || !isTreeNumber(newSize) || oldSize > newSize) {
    throw new InvalidTreeParametersError(
      'RFC 6962 §2.1.2 defines a consistency proof only for 0 <= old size <= new size',
    );
  }
  if (oldSize === 0 || oldSize === newSize) return [];

  // SUBPROOF(m, D[start:start+size], b), unrolled: each step records the subtree on the side the
  // old tree does not reach into; the innermost element (if any) comes first in the proof.
  const outerFirst: Buffer[] = [];
  let start = 0;
  let size = newSize;
  let m = oldSize;
  let oldRootIsKnown = true; // b in RFC 6962: false once we descend into a right subtree
  while (m !== size) {
    const k = largestPowerOfTwoBelow(size);
    if (m <= k) {
      outerFirst.push(subtreeRoot(getLeafHashes, start + k, start + size));
      size = k;
    } else {
      outerFirst.push(subtreeRoot(getLeafHashes, start, start + k));
      start += k;
      m -= k;
      size -= k;
      oldRootIsKnown = false;
    }
  }
  if (!oldRootIsKnown) outerFirst.push(subtreeRoot(getLeafHashes, start, start + m));
  return outerFirst.reverse();
}
