import { describe, expect, it } from 'vitest';
import { lockDurationMs } from '../../../src/auth/users/index.js';

describe('lockDurationMs', () => {
  it('locks from the 5th failure for 1 minute, doubling, at most 1 hour', () => {
    expect([1, 4, 5, 6, 7, 10, 11, 50].map((n) => lockDurationMs(n) / 60_000)).toEqual([
      0, 0, 1, 2, 4, 32, 60, 60,
    ]);
    expect(lockDurationMs(3, 3)).toBe(60_000);
  });
});
