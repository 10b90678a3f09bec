import { describe, expect, it } from 'vitest';

import {
  consistencyProof,
  inclusionProof,
  MerkleFrontier,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/audit/merkle/index.js';

const SIZE = 1_000_000;
// About one SHA-256 per leaf: ~1.3 s alone on a 2-core machine, ~2.5 s while other test files run
// in parallel. The budget is loose so CI stays green, yet an O(n log n) regression (~20 s) fails.
const BUDGET_MS = 8_000;

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

describe('a 1,000,000-leaf tree', () => {
  const hashes = leafHashes(SIZE);
  const source = (start: number, end: number) => hashes.slice(start, end);
  const frontier = MerkleFrontier.empty();
  let oldRoot: Buffer = Buffer.alloc(0);
  for (let i = 0; i < SIZE; i++) {
    if (i === 654_321) oldRoot = frontier.root();
    frontier.append(hashes[i]!);
  }
  const root = frontier.root();

  it('proves inclusion of a leaf in well under a few seconds', () => {
    const started = performance.now();
    const proof = inclusionProof(765_432, SIZE, source);
    const elapsed = performance.now() - started;
    expect(proof).toHaveLength(20);
    expect(verifyInclusion(765_432, SIZE, hashes[765_432]!, proof, root)).toBe(true);
    expect(elapsed).toBeLessThan(BUDGET_MS);
  });

  it('proves consistency with an earlier size in well under a few seconds', () => {
    const started = performance.now();
    const proof = consistencyProof(654_321, SIZE, source);
    const elapsed = performance.now() - started;
    expect(verifyConsistency(654_321, SIZE, oldRoot, root, proof)).toBe(true);
    expect(elapsed).toBeLessThan(BUDGET_MS);
  });
});
