import { InvalidTreeParametersError, MalformedFrontierError } from './errors.js';
import { emptyRoot, HASH_SIZE, isHash, nodeHash } from './hash.js';
import { half, isOdd, popCount } from './tree-math.js';

const FORMAT_VERSION = 1;
const HEADER_SIZE = 1 + 8; // version byte, then the tree size as a big-endian uint64

/**
 * The right edge of a growing RFC 6962 tree: the roots of its perfect subtrees, largest first,
 * one per set bit of the size (at most log2(n) + 1 hashes). That is all that is needed to append
 * leaves and compute the root, so the log never reloads old leaves to extend the tree.
 */
export class MerkleFrontier {
  #size: number;
  readonly #nodes: Buffer[];

  private constructor(size: number, nodes: Buffer[]) {
    this.#size = size;
    this.#nodes = nodes;
  }

  static empty(): MerkleFrontier {
    return new MerkleFrontier(0, []);
  }

  /** Decodes serialize()'s output, refusing anything that is not exactly a valid frontier. */
  static deserialize(buf: Uint8Array): MerkleFrontier {
    if (!(buf instanceof Uint8Array) || buf.length < HEADER_SIZE) {
      throw new MalformedFrontierError('serialized frontier is too short');
    }
    const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
    if (bytes[0] !== FORMAT_VERSION) {
      throw new MalformedFrontierError(`unsupported frontier format version ${bytes[0]}`);
    }
    const size = bytes.readBigUInt64BE(1);
    if (size > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new MalformedFrontierError('frontier tree size is not a safe integer');
    }
    const count = popCount(Number(size));
    if (bytes.length !== HEADER_SIZE + count * HASH_SIZE) {
      throw new MalformedFrontierError(`a tree of size ${size} needs exactly ${count} hashes`);
    }
    const nodes: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const at = HEADER_SIZE + i * HASH_SIZE;
      nodes.push(Buffer.from(bytes.subarray(at, at + HASH_SIZE)));
    }
    return new MerkleFrontier(Number(size), nodes);
  }

  /** Number of leaves appended so far. */
  get size(): number {
    return this.#size;
  }

  /** Appends one leaf hash (leafHash(data), not the data itself). */
  append(leafHash: Uint8Array): void {
    if (!isHash(leafHash)) throw new InvalidTreeParametersError('a leaf hash must be 32 bytes');
    if (this.#size >= Number.MAX_SAFE_INTEGER) {
      throw new InvalidTreeParametersError('tree size would exceed Number.MAX_SAFE_INTEGER');
    }
    // Each trailing 1 bit of the old size is a perfect subtree of the new one's height: merge it.
    let hash: Buffer = Buffer.from(leafHash);
    for (let s = this.#size; isOdd(s); s = half(s)) hash = nodeHash(this.#nodes.pop()!, hash);
    this.#nodes.push(hash);
    this.#size += 1;
  }

  /** MTH of all leaves appended so far; equals rootFromLeafHashes over the same leaves. */
  root(): Buffer {
    const last = this.#nodes.length - 1;
    if (last < 0) return emptyRoot();
    let hash = this.#nodes[last]!;
    for (let i = last - 1; i >= 0; i--) hash = nodeHash(this.#nodes[i]!, hash);
    return Buffer.from(hash);
  }

  /** Copies of the perfect-subtree roots on the right edge, largest subtree first. */
  subtreeRoots(): Buffer[] {
    return this.#nodes.map((node) => Buffer.from(node));
  }

  /** Version byte 0x01, the size as a big-endian uint64, then the subtree roots, largest first. */
  serialize(): Buffer {
    const out = Buffer.alloc(HEADER_SIZE + this.#nodes.length * HASH_SIZE);
    out[0] = FORMAT_VERSION;
    out.writeBigUInt64BE(BigInt(this.#size), 1);
    this.#nodes.forEach((node, i) => node.copy(out, HEADER_SIZE + i * HASH_SIZE));
    return out;
  }

  clone(): MerkleFrontier {
    return new MerkleFrontier(this.#size, this.subtreeRoots());
  }
}
