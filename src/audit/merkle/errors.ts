/**
 * Typed errors of the Merkle tree module. Each carries a stable `code` that callers branch on;
 * messages are for operators and never contain leaf data.
 */
export class MerkleError extends Error {
  static readonly code: string = 'ERR_MERKLE';
  readonly code: string = 'ERR_MERKLE';

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A tree size, leaf index or hash given to an operation is outside what RFC 6962 defines. */
export class InvalidTreeParametersError extends MerkleError {
  static override readonly code = 'ERR_MERKLE_INVALID_PARAMETERS';
  override readonly code = 'ERR_MERKLE_INVALID_PARAMETERS';
}

/** The leaf-hash source returned the wrong number of hashes, or a hash that is not 32 bytes. */
export class LeafSourceError extends MerkleError {
  static override readonly code = 'ERR_MERKLE_LEAF_SOURCE';
  override readonly code = 'ERR_MERKLE_LEAF_SOURCE';
}

/** A serialized MerkleFrontier does not decode to a valid frontier. */
export class MalformedFrontierError extends MerkleError {
  static override readonly code = 'ERR_MERKLE_FRONTIER_MALFORMED';
  override readonly code = 'ERR_MERKLE_FRONTIER_MALFORMED';
}
