/**
 * RFC 6962 Merkle tree hashing and proofs for Haven's tamper-evident audit log.
 * Pure functions over leaf hashes: storage and I/O belong to the caller.
 */
export { leafHash, nodeHash, emptyRoot, HASH_SIZE } from './hash.js';
export { rootFromLeafHashes } from './root-from-leaf-hashes.js';
export { MerkleFrontier } from './frontier.js';
export type { LeafHashSource } from './leaf-source.js';
export { inclusionProof } from './inclusion-proof.js';
export { verifyInclusion } from './verify-inclusion.js';
export { consistencyProof } from './consistency-proof.js';
export { verifyConsistency } from './verify-consistency.js';
export {
  MerkleError,
  InvalidTreeParametersError,
  LeafSourceError,
  MalformedFrontierError,
} from './errors.js';
