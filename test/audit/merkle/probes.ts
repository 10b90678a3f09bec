/**
 * Corruptions of a valid proof that every verifier must reject, following the probe lists of
 * transparency-dev/merkle proof/verify_test.go and certificate-transparency merkle_tree_test.cc.
 */
import { hex } from './helpers.js';
import { ROOTS_BY_SIZE, SOME_HASH } from '../../fixtures/rfc6962/vectors.js';

const EMPTY_TREE_HASH = hex(ROOTS_BY_SIZE[0]);
const RANDOM_HASH = hex(SOME_HASH);

export interface InclusionCase {
  index: number;
  size: number;
  leaf: Buffer;
  proof: Buffer[];
  root: Buffer;
}

export function corruptInclusion(c: InclusionCase): [string, InclusionCase][] {
  const { index, size, root, proof } = c;
  const probes: [string, InclusionCase][] = [
    ['index - 1', { ...c, index: index - 1 }],
    ['index + 1', { ...c, index: index + 1 }],
    ['index ^ 2', { ...c, index: index ^ 2 }],
    ['size * 2', { ...c, size: size * 2 }],
    ['size / 2', { ...c, size: Math.floor(size / 2) }],
    ['wrong leaf', { ...c, leaf: Buffer.from('WrongLeaf') }],
    ['empty-tree root', { ...c, root: EMPTY_TREE_HASH }],
    ['random root', { ...c, root: RANDOM_HASH }],
    ['trailing garbage', { ...c, proof: [...proof, Buffer.alloc(0)] }],
    ['trailing root', { ...c, proof: [...proof, root] }],
    ['preceding garbage', { ...c, proof: [Buffer.alloc(0), ...proof] }],
    ['preceding root', { ...c, proof: [root, ...proof] }],
  ];
  proof.forEach((_, i) => {
    probes.push([`proof[${i}] bit flipped`, { ...c, proof: flipped(proof, i) }]);
    probes.push([`proof[${i}] = empty-tree hash`, { ...c, proof: replaced(proof, i) }]);
  });
  if (proof.length > 0) probes.push(['removed component', { ...c, proof: proof.slice(0, -1) }]);
  if (proof.length > 1) {
    probes.push([
      'inserted component',
      { ...c, proof: [proof[0]!, RANDOM_HASH, ...proof.slice(1)] },
    ]);
  }
  return probes;
}

export interface ConsistencyCase {
  oldSize: number;
  newSize: number;
  oldRoot: Buffer;
  newRoot: Buffer;
  proof: Buffer[];
}

export function corruptConsistency(c: ConsistencyCase): [string, ConsistencyCase][] {
  const { oldSize, newSize, oldRoot, newRoot, proof } = c;
  const probes: [string, ConsistencyCase][] = [
    ['old size - 1', { ...c, oldSize: oldSize - 1 }],
    ['old size + 1', { ...c, oldSize: oldSize + 1 }],
    ['old size ^ 2', { ...c, oldSize: oldSize ^ 2 }],
    ['new size * 2', { ...c, newSize: newSize * 2 }],
    ['new size / 2', { ...c, newSize: Math.floor(newSize / 2) }],
    ['wrong old root', { ...c, oldRoot: Buffer.from('WrongRoot') }],
    ['wrong new root', { ...c, newRoot: Buffer.from('WrongRoot') }],
    ['random old root', { ...c, oldRoot: RANDOM_HASH }],
    ['random new root', { ...c, newRoot: RANDOM_HASH }],
    ['swapped roots', { ...c, oldRoot: newRoot, newRoot: oldRoot }],
    ['empty proof', { ...c, proof: [] }],
    ['trailing garbage', { ...c, proof: [...proof, Buffer.alloc(0)] }],
    ['trailing old root', { ...c, proof: [...proof, oldRoot] }],
    ['trailing new root', { ...c, proof: [...proof, newRoot] }],
    ['preceding garbage', { ...c, proof: [Buffer.alloc(0), ...proof] }],
    ['preceding old root', { ...c, proof: [oldRoot, ...proof] }],
    ['preceding new root', { ...c, proof: [newRoot, ...proof] }],
    ['preceding proof[0]', { ...c, proof: [proof[0]!, ...proof] }],
    ['truncated proof', { ...c, proof: proof.slice(0, -1) }],
  ];
  proof.forEach((_, i) => {
    probes.push([`proof[${i}] bit flipped`, { ...c, proof: flipped(proof, i) }]);
    probes.push([`proof[${i}] = empty-tree hash`, { ...c, proof: replaced(proof, i) }]);
  });
  return probes;
}

function flipped(proof: Buffer[], i: number): Buffer[] {
  const copy = proof.map((p) => Buffer.from(p));
  copy[i]![0]! ^= 0x08;
  return copy;
}

function replaced(proof: Buffer[], i: number): Buffer[] {
  return proof.map((p, j) => (j === i ? EMPTY_TREE_HASH : p));
}
