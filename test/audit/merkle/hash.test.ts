import { describe, expect, it } from 'vitest';

import {
  emptyRoot,
  InvalidTreeParametersError,
  leafHash,
  nodeHash,
  rootFromLeafHashes,
} from '../../../src/audit/merkle/index.js';
import { HASHER_VECTORS, NODE_HASHES, ROOTS_BY_SIZE } from '../../fixtures/rfc6962/vectors.js';
import { hex, referenceLeaves, refMth, syntheticLeafHashes } from './helpers.js';

describe('RFC 6962 hashing (transparency-dev/merkle rfc6962_test.go vectors)', () => {
  it('hashes the empty tree as SHA-256 of the empty string', () => {
    expect(emptyRoot().toString('hex')).toBe(HASHER_VECTORS.emptyRoot);
  });

  it('distinguishes an empty leaf from the empty tree', () => {
    expect(leafHash(new Uint8Array(0)).toString('hex')).toBe(HASHER_VECTORS.emptyLeaf);
  });

  it('prefixes leaves with 0x00', () => {
    const { input, hash } = HASHER_VECTORS.leaf;
    expect(leafHash(Buffer.from(input)).toString('hex')).toBe(hash);
  });

  it('prefixes interior nodes with 0x01', () => {
    const { left, right, hash } = HASHER_VECTORS.node;
    expect(nodeHash(Buffer.from(left), Buffer.from(right)).toString('hex')).toBe(hash);
  });

  it('is second-preimage resistant between a node and a leaf of the concatenation', () => {
    const [a, b] = [leafHash(Buffer.from('Hello')), leafHash(Buffer.from('World'))];
    expect(nodeHash(a, b).equals(leafHash(Buffer.concat([a, b])))).toBe(false);
    expect(nodeHash(a, b).equals(nodeHash(b, a))).toBe(false);
  });
});

describe('rootFromLeafHashes', () => {
  const leafHashes = referenceLeaves().map((leaf) => leafHash(leaf));

  it('hashes the 8 reference leaves to the published node hashes', () => {
    expect(leafHashes.map((h) => h.toString('hex'))).toEqual(NODE_HASHES[0]);
  });

  it.each(ROOTS_BY_SIZE.map((root, size) => ({ size, root })))(
    'matches the published root for size $size',
    ({ size, root }) => {
      expect(rootFromLeafHashes(leafHashes.slice(0, size)).toString('hex')).toBe(root);
    },
  );

  it('equals the recursive RFC 6962 definition for every size 0..300', () => {
    const hashes = syntheticLeafHashes(300);
    for (let size = 0; size <= 300; size++) {
      const slice = hashes.slice(0, size);
      expect(rootFromLeafHashes(slice).equals(refMth(slice)), `size ${size}`).toBe(true);
    }
  });

  it('returns a copy, not the caller’s buffer, for a one-leaf tree', () => {
    const only = hex(NODE_HASHES[0][0]);
    const root = rootFromLeafHashes([only]);
    root[0]! ^= 1;
    expect(only.toString('hex')).toBe(NODE_HASHES[0][0]);
  });

  it('refuses leaf hashes that are not 32 bytes', () => {
    expect(() => rootFromLeafHashes([Buffer.alloc(31)])).toThrow(InvalidTreeParametersError);
  });
});
