import { isHash, nodeHash } from './hash.js';
import { half, isOdd, isTreeNumber } from './tree-math.js';

/**
 * RFC 9162 §2.1.3.2: true iff `proof` shows that `leafHash` is the leaf at `index` of the tree of
 * size `treeSize` whose root is `root`. Never throws; any malformed input is simply not a proof.
 */
export function verifyInclusion(
  index: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isTreeNumber(index) || !isTreeNumber(treeSize) || index >= treeSize) return false;
  if (!isHash(leafHash) || !isHash(root) || !Array.isArray(proof) || !proof.every(isHash)) {
    return false;
  }
  let fn = index;
  let sn = treeSize - 1;
  let r: Uint8Array = leafHash;
  for (const p of proof) {
    if (sn === 0) return false; // the proof is longer than the path to the root
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      // Skip the levels where this node is a left child with no right sibling.
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && Buffer.from(r).equals(root);
}
