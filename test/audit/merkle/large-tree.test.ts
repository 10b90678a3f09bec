import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  consistencyProof,
  inclusionProof,
  MerkleFrontier,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/audit/merkle/index.js';

const SIZE = 1_000_000;

/** Distinct 32-byte leaf hashes without hashing a million inputs first. */
function leafHashes(count: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const hash = Buffer.alloc(32, 0xa5);
    hash.writeUInt32BE(i, 0);
    out.push(hash);
  }
  return out;
}

/**
 * The cost of a proof is measured as work, not time (a busy machine makes time meaningless):
 * the leaves the source is asked for and the SHA-256 calls made. A proof over disjoint subtrees
 * reads each leaf at most once and needs fewer node hashes than leaves; an O(n log n) regression
 * (~20 million hashes here) or a source read twice fails these counts on any machine.
 */
describe('a 1,000,000-leaf tree', () => {
  const hashes = leafHashes(SIZE);
  const frontier = MerkleFrontier.empty();
  let oldRoot: Buffer = Buffer.alloc(0);
  for (let i = 0; i < SIZE; i++) {
    if (i === 654_321) oldRoot = frontier.root();
    frontier.append(hashes[i]!);
  }
  const root = frontier.root();

  let leavesRead = 0;
  let sourceCalls = 0;
  const source = (start: number, end: number) => {
    sourceCalls++;
    leavesRead += end - start;
    return hashes.slice(start, end);
  };
  // Counts every SHA-256 the proof code makes: hash.ts calls crypto.hash (Node >= 20.12) or,
  // on older Node 20, crypto.createHash; both are wrapped and passed through unchanged.
  const realHash = crypto.hash;
  const realCreateHash = crypto.createHash;
  let hashCalls = 0;
  beforeEach(() => {
    leavesRead = 0;
    sourceCalls = 0;
    hashCalls = 0;
    if (typeof realHash === 'function') {
      crypto.hash = ((...args: Parameters<typeof realHash>) => {
        hashCalls++;
        return realHash(...args);
      }) as typeof realHash;
    }
    crypto.createHash = ((...args: Parameters<typeof realCreateHash>) => {
      hashCalls++;
      return realCreateHash(...args);
    }) as typeof realCreateHash;
  });
  afterEach(() => {
    crypto.hash = realHash;
    crypto.createHash = realCreateHash;
  });

  it('proves inclusion of a leaf reading each leaf at most once, with fewer hashes than leaves', () => {
    const proof = inclusionProof(765_432, SIZE, source);
    const work = { leavesRead, sourceCalls, hashCalls };
    expect(proof).toHaveLength(20);
    expect(verifyInclusion(765_432, SIZE, hashes[765_432]!, proof, root)).toBe(true);
    // One source call per proof element; every leaf but the proven one is read exactly once.
    expect(work.sourceCalls).toBe(20);
    expect(work.leavesRead).toBe(SIZE - 1);
    // Subtree roots over SIZE - 1 leaves in 20 pieces need SIZE - 21 node hashes; the check adds 20.
    expect(work.hashCalls).toBeGreaterThan(0);
    expect(work.hashCalls).toBeLessThanOrEqual(SIZE);
  });

  it('proves consistency with an earlier size reading each leaf at most once', () => {
    const proof = consistencyProof(654_321, SIZE, source);
    const work = { leavesRead, sourceCalls, hashCalls };
    expect(verifyConsistency(654_321, SIZE, oldRoot, root, proof)).toBe(true);
    expect(work.sourceCalls).toBe(proof.length);
    expect(work.leavesRead).toBeLessThanOrEqual(SIZE);
    expect(work.hashCalls).toBeGreaterThan(0);
    expect(work.hashCalls).toBeLessThanOrEqual(SIZE);
  });
});
