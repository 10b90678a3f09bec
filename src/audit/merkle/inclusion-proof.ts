import { InvalidTreeParametersError } from './errors.js';
import { subtreeRoot, type LeafHashSource } from './leaf-source.js';
import { isTreeNumber, largestPowerOfTwoBelow } from './tree-math.js';

/**
 * PATH(m, D[n]) of RFC 6962 §2.1.1: the audit path for leaf `index` in the tree of the first
 * `treeSize` leaves, ordered from the leaf's sibling up to the root's child.
 *
 * Each element is the root of a subtree the leaf is not in, so the source is asked for disjoint
 * ranges that together cover the tree once.
 */
export function inclusionProof(
  index: number,
  treeSize: number,
  getLeafHashes: LeafHashSource,
): Buffer[] {
  if (!isTreeNumber(treeSize) || !isTreeNumber(index) || index >= treeSize) {
    throw new InvalidTreeParametersError(
      'RFC 6962 §2.1.1 defines an audit path only for 0 <= index < tree size',
    );
  }
  const siblings: Buffer[] = []; // top of the tree first; PATH lists them bottom first
  let start = 0;
  let size = treeSize;
  let m = index;
  while (size > 1) {
    const k = largestPowerOfTwoBelow(size);
    if (m < k) {
      siblings.push(subtreeRoot(getLeafHashes, start + k, start + size));
      size = k;
    } else {
      siblings.push(subtreeRoot(getLeafHashes, start, start + k));
      start += k;
      m -= k;
      size -= k;
    }
  }
  return siblings.reverse();
}
