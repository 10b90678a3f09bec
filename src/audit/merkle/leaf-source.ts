import { LeafSourceError } from './errors.js';
import { isHash } from './hash.js';
import { rootOfHashes } from './root-from-leaf-hashes.js';

/**
 * Returns the leaf hashes of leaves [start, end) of the log, in order. Proof generation calls it
 * once per proof element, for subranges that together cover the tree at most once.
 */
export type LeafHashSource = (start: number, end: number) => readonly Uint8Array[];

/** MTH(D[start:end]), refusing a source that answers with the wrong leaves. */
export function subtreeRoot(source: LeafHashSource, start: number, end: number): Buffer {
  const hashes = source(start, end);
  if (hashes.length !== end - start) {
    throw new LeafSourceError(
      `leaf source returned ${hashes.length} hashes for range [${start}, ${end})`,
    );
  }
  for (const hash of hashes) {
    if (!isHash(hash))
      throw new LeafSourceError('leaf source returned a hash that is not 32 bytes');
  }
  return rootOfHashes(hashes);
}
