import { describe, expect, it } from 'vitest';

import {
  consistencyProof,
  emptyRoot,
  InvalidTreeParametersError,
  leafHash,
  verifyConsistency,
} from '../../../src/audit/merkle/index.js';
import { CONSISTENCY_PROOFS, ROOTS_BY_SIZE } from '../../fixtures/rfc6962/vectors.js';
import {
  hex,
  referenceLeaves,
  refMth,
  refSubproof,
  seededRandom,
  sourceOf,
  syntheticLeafHashes,
  toHex,
} from './helpers.js';
import { corruptConsistency, type ConsistencyCase } from './probes.js';

const leafHashes = referenceLeaves().map((leaf) => leafHash(leaf));
const check = (c: ConsistencyCase) =>
  verifyConsistency(c.oldSize, c.newSize, c.oldRoot, c.newRoot, c.proof);

function expectSoundProof(c: ConsistencyCase): void {
  expect(check(c), `valid proof ${c.oldSize}->${c.newSize}`).toBe(true);
  if (c.proof.length === 0) return; // trivial proofs (equal sizes) have nothing to corrupt
  for (const [label, probe] of corruptConsistency(c)) {
    expect(check(probe), `${label} for ${c.oldSize}->${c.newSize}`).toBe(false);
  }
}

describe('consistency proofs: published vectors', () => {
  it.each(CONSISTENCY_PROOFS)('builds PROOF($oldSize, D[$newSize]) exactly', (v) => {
    expect(toHex(consistencyProof(v.oldSize, v.newSize, sourceOf(leafHashes)))).toEqual(v.proof);
  });

  it.each(CONSISTENCY_PROOFS)('verifies $oldSize -> $newSize and rejects every corruption', (v) => {
    expectSoundProof({
      oldSize: v.oldSize,
      newSize: v.newSize,
      oldRoot: hex(ROOTS_BY_SIZE[v.oldSize]!),
      newRoot: hex(ROOTS_BY_SIZE[v.newSize]!),
      proof: v.proof.map(hex),
    });
  });
});

describe('consistency proofs: edge cases (proof/verify_test.go TestVerifyConsistency)', () => {
  const root1 = hex(ROOTS_BY_SIZE[1]);
  const root2 = hex(ROOTS_BY_SIZE[2]);
  const empty = emptyRoot();

  it('treats equal sizes as consistent only with equal roots and an empty proof', () => {
    expect(verifyConsistency(1, 1, root1, root1, [])).toBe(true);
    expect(verifyConsistency(1, 1, root1, root2, [])).toBe(false);
    expect(verifyConsistency(0, 0, empty, empty, [])).toBe(true);
    expect(verifyConsistency(0, 0, empty, root2, [])).toBe(false);
    expect(verifyConsistency(0, 0, empty, empty, [empty])).toBe(false);
    expect(verifyConsistency(1, 1, empty, empty, [empty])).toBe(false);
  });

  it('accepts growth from the empty tree only from its one root, SHA-256("")', () => {
    expect(verifyConsistency(0, 1, empty, root1, [])).toBe(true);
    expect(verifyConsistency(0, 1, empty, root1, [empty])).toBe(false);
    // Deviation from Go's verifier, which accepts any old root for size 0: the empty tree has
    // exactly one root, and a size-0 checkpoint with another root is forged.
    expect(verifyConsistency(0, 1, root2, root1, [])).toBe(false);
  });

  it('rejects time travel to the past and an empty proof for real growth', () => {
    expect(verifyConsistency(1, 0, root1, empty, [])).toBe(false);
    expect(verifyConsistency(2, 1, root2, root1, [])).toBe(false);
    expect(verifyConsistency(1, 2, root1, root2, [])).toBe(false);
  });

  it.each([
    [-1, 2],
    [1.5, 2],
    [1, Number.MAX_SAFE_INTEGER + 1],
    [Number.NaN, 2],
  ])('returns false (never throws) for sizes %s -> %s', (m, n) => {
    expect(verifyConsistency(m, n, root1, root2, [leafHashes[1]!])).toBe(false);
  });

  it.each([
    [2, 1],
    [-1, 3],
    [1, 2.5],
  ])('consistencyProof refuses sizes %s -> %s', (m, n) => {
    expect(() => consistencyProof(m, n, sourceOf(leafHashes))).toThrow(InvalidTreeParametersError);
  });

  it('returns an empty proof from the empty tree and between equal sizes', () => {
    expect(consistencyProof(0, 8, sourceOf(leafHashes))).toEqual([]);
    expect(consistencyProof(5, 5, sourceOf(leafHashes))).toEqual([]);
  });
});

describe('consistency proofs: properties', () => {
  const hashes = syntheticLeafHashes(300);
  const random = seededRandom(9162);
  const roots = Array.from({ length: 301 }, (_, n) => refMth(hashes.slice(0, n)));

  it('every proof for sizes up to 48 matches the RFC 6962 definition and is sound', () => {
    for (let newSize = 1; newSize <= 48; newSize++) {
      for (let oldSize = 1; oldSize <= newSize; oldSize++) {
        const proof = consistencyProof(oldSize, newSize, sourceOf(hashes));
        const tree = hashes.slice(0, newSize);
        expect(toHex(proof)).toEqual(toHex(refSubproof(oldSize, tree, true)));
        const [oldRoot, newRoot] = [roots[oldSize]!, roots[newSize]!];
        expectSoundProof({ oldSize, newSize, oldRoot, newRoot, proof });
      }
    }
  });

  it('random pairs up to 300 leaves verify and fail once corrupted', () => {
    for (let i = 0; i < 400; i++) {
      const newSize = 1 + random(300);
      const oldSize = 1 + random(newSize);
      const proof = consistencyProof(oldSize, newSize, sourceOf(hashes));
      const [oldRoot, newRoot] = [roots[oldSize]!, roots[newSize]!];
      expectSoundProof({ oldSize, newSize, oldRoot, newRoot, proof });
    }
  });
});
