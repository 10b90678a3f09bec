import crypto from 'node:crypto';

import { LEAF_INPUTS } from '../../fixtures/rfc6962/vectors.js';

export const hex = (value: string): Buffer => Buffer.from(value, 'hex');
export const toHex = (values: readonly Uint8Array[]): string[] =>
  values.map((value) => Buffer.from(value).toString('hex'));

/** A reproducible PRNG (mulberry32) so a failing random case can be rerun. */
export function seededRandom(seed: number): (maxExclusive: number) => number {
  let state = seed >>> 0;
  return (maxExclusive) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const unit = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return Math.floor(unit * maxExclusive);
  };
}

/** Distinct, deterministic leaf hashes: SHA-256 of the leaf number (not RFC leaf hashes, which
 * the proofs do not care about). */
export function syntheticLeafHashes(count: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) out.push(crypto.hash('sha256', `leaf ${i}`, 'buffer'));
  return out;
}

/** The leaf-hash source a store would provide, backed by an array. */
export function sourceOf(hashes: readonly Buffer[]) {
  return (start: number, end: number): Buffer[] => hashes.slice(start, end);
}

export const referenceLeaves = (): Buffer[] => LEAF_INPUTS.map((input) => hex(input));

// Reference definitions transcribed from RFC 6962 §2.1 (recursive, slow, obviously right), used
// to cross-check the iterative implementations on every small tree.
const sha = (...parts: Uint8Array[]): Buffer =>
  crypto.createHash('sha256').update(Buffer.concat(parts)).digest();
const k = (n: number): number => 2 ** Math.ceil(Math.log2(n) - 1);

export function refMth(leafHashes: readonly Buffer[]): Buffer {
  const n = leafHashes.length;
  if (n === 0) return sha();
  if (n === 1) return leafHashes[0]!;
  const split = k(n);
  return sha(Buffer.of(1), refMth(leafHashes.slice(0, split)), refMth(leafHashes.slice(split)));
}

export function refPath(m: number, leafHashes: readonly Buffer[]): Buffer[] {
  const n = leafHashes.length;
  if (n === 1) return [];
  const split = k(n);
  return m < split
    ? [...refPath(m, leafHashes.slice(0, split)), refMth(leafHashes.slice(split))]
    : [...refPath(m - split, leafHashes.slice(split)), refMth(leafHashes.slice(0, split))];
}

export function refSubproof(m: number, leafHashes: readonly Buffer[], b: boolean): Buffer[] {
  const n = leafHashes.length;
  if (m === n) return b ? [] : [refMth(leafHashes)];
  const split = k(n);
  return m <= split
    ? [...refSubproof(m, leafHashes.slice(0, split), b), refMth(leafHashes.slice(split))]
    : [
        ...refSubproof(m - split, leafHashes.slice(split), false),
        refMth(leafHashes.slice(0, split)),
      ];
}
