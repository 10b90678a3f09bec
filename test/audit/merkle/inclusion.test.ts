import { describe, expect, it } from 'vitest';

import {
  inclusionProof,
  InvalidTreeParametersError,
  leafHash,
  LeafSourceError,
  verifyInclusion,
} from '../../../src/audit/merkle/index.js';
import { INCLUSION_PROOFS, ROOTS_BY_SIZE, SOME_HASH } from '../../fixtures/rfc6962/vectors.js';
import {
  hex,
  referenceLeaves,
  refMth,
  refPath,
  seededRandom,
  sourceOf,
  syntheticLeafHashes,
  toHex,
} from './helpers.js';
import { corruptInclusion, type InclusionCase } from './probes.js';

const leafHashes = referenceLeaves().map((leaf) => leafHash(leaf));
const check = (c: InclusionCase) => verifyInclusion(c.index, c.size, c.leaf, c.proof, c.root);

function expectSoundProof(c: InclusionCase): void {
  expect(check(c), `valid proof ${c.index}/${c.size}`).toBe(true);
  for (const [label, probe] of corruptInclusion(c)) {
    expect(check(probe), `${label} for ${c.index}/${c.size}`).toBe(false);
  }
}

describe('inclusion proofs: published vectors', () => {
  it.each(INCLUSION_PROOFS)('builds PATH($index, D[$size]) exactly', ({ index, size, proof }) => {
    expect(toHex(inclusionProof(index, size, sourceOf(leafHashes)))).toEqual(proof);
  });

  it.each(INCLUSION_PROOFS)('verifies PATH($index, D[$size]) and rejects every corruption', (v) => {
    expectSoundProof({
      index: v.index,
      size: v.size,
      leaf: leafHashes[v.index]!,
      proof: v.proof.map(hex),
      root: hex(ROOTS_BY_SIZE[v.size]!),
    });
  });
});

describe('inclusion proofs: edge cases (proof/verify_test.go TestVerifyInclusion)', () => {
  const someHash = hex(SOME_HASH);
  const emptyTreeHash = hex(ROOTS_BY_SIZE[0]);

  it.each([
    [0, 0],
    [0, 1],
    [1, 0],
    [2, 1],
  ])('rejects an empty proof for index %i in a tree of size %i with mismatched hashes', (i, n) => {
    expect(verifyInclusion(i, n, someHash, [], Buffer.alloc(0))).toBe(false);
    expect(verifyInclusion(i, n, Buffer.alloc(0), [], emptyTreeHash)).toBe(false);
    expect(verifyInclusion(i, n, someHash, [], emptyTreeHash)).toBe(false);
  });

  it('accepts a single-leaf tree whose root is the leaf hash, and nothing else', () => {
    const hash = leafHash(Buffer.from('data'));
    expect(verifyInclusion(0, 1, hash, [], hash)).toBe(true);
    expect(verifyInclusion(0, 1, Buffer.alloc(0), [], hash)).toBe(false);
    expect(verifyInclusion(0, 1, hash, [], Buffer.alloc(0))).toBe(false);
  });

  it.each([
    [-1, 4],
    [4, 4],
    [0.5, 4],
    [0, Number.MAX_SAFE_INTEGER + 1],
    [Number.NaN, 4],
  ])('verifyInclusion returns false (never throws) for index %s, size %s', (i, n) => {
    expect(verifyInclusion(i, n, leafHashes[0]!, [], leafHashes[0]!)).toBe(false);
  });

  it.each([
    [0, 0],
    [1, 1],
    [-1, 3],
    [1.5, 3],
    [7, 7],
  ])('inclusionProof refuses index %s in a tree of size %s', (i, n) => {
    expect(() => inclusionProof(i, n, sourceOf(leafHashes))).toThrow(InvalidTreeParametersError);
  });

  it('refuses a leaf source that returns the wrong number of hashes', () => {
    const short = () => [leafHashes[0]!];
    expect(() => inclusionProof(0, 8, short)).toThrow(LeafSourceError);
  });

  it('refuses a leaf source that returns a malformed hash', () => {
    const bad = (start: number, end: number) =>
      leafHashes.slice(start, end).map(() => Buffer.alloc(3));
    expect(() => inclusionProof(0, 8, bad)).toThrow(LeafSourceError);
  });
});

describe('inclusion proofs: properties', () => {
  const hashes = syntheticLeafHashes(300);
  const random = seededRandom(6962);
  const sizes = [
    ...Array.from({ length: 70 }, (_, i) => i + 1),
    ...Array.from({ length: 6 }, () => 71 + random(230)),
    256,
    300,
  ];

  it('every proof matches the RFC 6962 definition, verifies, and fails once corrupted', () => {
    for (const size of sizes) {
      const tree = hashes.slice(0, size);
      const root = refMth(tree);
      // Every index of the small trees; the edges and a sample of the larger ones (each proof
      // costs a full reference tree walk, and the suite runs on two shared cores).
      const indexes =
        size <= 70
          ? Array.from({ length: size }, (_, i) => i)
          : [0, 1, size - 2, size - 1, ...Array.from({ length: 24 }, () => random(size))];
      for (const index of indexes) {
        const proof = inclusionProof(index, size, sourceOf(hashes));
        if (size <= 70) expect(toHex(proof)).toEqual(toHex(refPath(index, tree)));
        expectSoundProof({ index, size, leaf: hashes[index]!, proof, root });
      }
    }
  });
});
