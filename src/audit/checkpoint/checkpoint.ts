/** The tree head a checkpoint commits to (c2sp.org/tlog-checkpoint note text). */
export interface Checkpoint {
  /** Unique identifier of the log, e.g. `haven.example.org/audit`. */
  origin: string;
  /** Number of leaves in the tree. */
  size: number;
  /** RFC 6962 Merkle tree hash of the tree at `size` leaves (32 bytes). */
  rootHash: Buffer;
  /** Optional, opaque, non-empty lines after the root hash ("NOT RECOMMENDED" by C2SP). */
  extensions: string[];
}

export interface CheckpointFields {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  extensions?: readonly string[] | undefined;
}

/** SHA-256 output: the only root hash size Haven's RFC 6962 logs produce. */
export const ROOT_HASH_SIZE = 32;
