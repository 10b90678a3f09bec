import { describe, expect, it } from 'vitest';

import {
  InvalidTreeParametersError,
  leafHash,
  MalformedFrontierError,
  MerkleFrontier,
  rootFromLeafHashes,
} from '../../../src/audit/merkle/index.js';
import { COMPACT_TREES, NODE_HASHES, ROOTS_BY_SIZE } from '../../fixtures/rfc6962/vectors.js';
import { referenceLeaves, syntheticLeafHashes } from './helpers.js';

describe('MerkleFrontier', () => {
  it('holds the published compact-tree hashes and roots for sizes 0..8', () => {
    const frontier = MerkleFrontier.empty();
    const leaves = referenceLeaves();
    for (let size = 0; size <= 8; size++) {
      if (size > 0) frontier.append(leafHash(leaves[size - 1]!));
      const expected = COMPACT_TREES[size]!.map(([level, index]) => NODE_HASHES[level]![index]);
      expect(frontier.size).toBe(size);
      expect(frontier.subtreeRoots().map((h) => h.toString('hex'))).toEqual(expected);
      expect(frontier.root().toString('hex')).toBe(ROOTS_BY_SIZE[size]);
    }
  });

  it('root() equals rootFromLeafHashes for every size 0..300, also after a round trip', () => {
    const hashes = syntheticLeafHashes(300);
    const frontier = MerkleFrontier.empty();
    for (let size = 0; size <= 300; size++) {
      if (size > 0) frontier.append(hashes[size - 1]!);
      const expected = rootFromLeafHashes(hashes.slice(0, size));
      expect(frontier.root().equals(expected), `size ${size}`).toBe(true);
      const restored = MerkleFrontier.deserialize(frontier.serialize());
      expect(restored.size).toBe(size);
      expect(restored.root().equals(expected), `restored size ${size}`).toBe(true);
    }
  });

  it('continues appending after being restored from its serialized form (batch by batch)', () => {
    const hashes = syntheticLeafHashes(200);
    let stored = MerkleFrontier.empty().serialize();
    for (const [start, end] of [
      [0, 7],
      [7, 64],
      [64, 65],
      [65, 200],
    ] as const) {
      const frontier = MerkleFrontier.deserialize(stored);
      for (const hash of hashes.slice(start, end)) frontier.append(hash);
      stored = frontier.serialize();
      expect(frontier.root().equals(rootFromLeafHashes(hashes.slice(0, end)))).toBe(true);
    }
  });

  it('serializes as version, big-endian size, then one hash per set bit of the size', () => {
    const frontier = MerkleFrontier.empty();
    for (const hash of syntheticLeafHashes(6)) frontier.append(hash);
    const bytes = frontier.serialize();
    expect(bytes.length).toBe(1 + 8 + 2 * 32);
    expect(bytes.subarray(0, 9).toString('hex')).toBe('010000000000000006');
  });

  it('clone() is independent of the original', () => {
    const [a, b] = syntheticLeafHashes(2);
    const original = MerkleFrontier.empty();
    original.append(a!);
    const copy = original.clone();
    copy.append(b!);
    expect(original.size).toBe(1);
    expect(copy.size).toBe(2);
    expect(original.root().equals(a!)).toBe(true);
  });

  it('does not alias the caller’s leaf buffer', () => {
    const hash = Buffer.from(syntheticLeafHashes(1)[0]!);
    const frontier = MerkleFrontier.empty();
    frontier.append(hash);
    const before = frontier.root();
    hash[0]! ^= 0xff;
    expect(frontier.root().equals(before)).toBe(true);
  });

  it('refuses leaf hashes that are not 32 bytes', () => {
    expect(() => MerkleFrontier.empty().append(Buffer.alloc(33))).toThrow(
      InvalidTreeParametersError,
    );
  });

  it.each([
    ['empty buffer', ''],
    ['too short for the header', '0100'],
    ['unknown version', '020000000000000000'],
    ['size 1 without its hash', '010000000000000001'],
    ['size 0 with a stray hash', '010000000000000000' + '00'.repeat(32)],
    ['size 3 with only one hash', '010000000000000003' + '00'.repeat(32)],
    ['trailing byte', '010000000000000001' + '00'.repeat(33)],
    ['size beyond 2^53', '010020000000000000'],
  ])('deserialize refuses %s', (_label, serialized) => {
    const attempt = () => MerkleFrontier.deserialize(Buffer.from(serialized, 'hex'));
    expect(attempt).toThrow(MalformedFrontierError);
    try {
      attempt();
    } catch (error) {
      expect((error as MalformedFrontierError).code).toBe('ERR_MERKLE_FRONTIER_MALFORMED');
    }
  });
});
