/**
 * Integer helpers for tree sizes and indices. Sizes may exceed 2^32, so these use arithmetic
 * rather than JavaScript's 32-bit bitwise operators; every value is a safe integer.
 */

/** A tree size or leaf index: a non-negative safe integer. */
export function isTreeNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** RFC 6962 §2.1's k: the largest power of two strictly smaller than n (n >= 2). */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

export function isOdd(n: number): boolean {
  return n % 2 === 1;
}

/** n >> 1 for safe integers beyond 32 bits. */
export function half(n: number): number {
  return Math.floor(n / 2);
}

/** Number of set bits: the number of perfect subtrees on the right edge of a tree of size n. */
export function popCount(n: number): number {
  let count = 0;
  for (let x = n; x > 0; x = half(x)) if (isOdd(x)) count++;
  return count;
}
