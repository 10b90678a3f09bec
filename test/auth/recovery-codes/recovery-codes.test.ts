import { describe, expect, it } from 'vitest';

import {
  InvalidRecoveryCodeCountError,
  InvalidRecoveryCodeHashError,
  RecoveryCodeRandomnessError,
  consumeRecoveryCode,
  generateRecoveryCodes,
} from '../../../src/auth/recovery-codes/index.js';
import { formatRecoveryCode } from '../../../src/auth/recovery-codes/recovery-code-format.js';

const CODE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;

/** An injected source that returns the given bytes, then zeros. */
const fixedBytes =
  (...chunks: number[][]) =>
  (size: number) => {
    const chunk = chunks.shift() ?? [];
    return Uint8Array.from({ length: size }, (_, i) => chunk[i] ?? 0);
  };

/** 0x08 0x42 0x10 0x84 0x21 is the bit pattern 00001 repeated: the symbol "1" eight times. */
const ONES = [0x08, 0x42, 0x10, 0x84, 0x21, 0x08, 0x42, 0x10, 0x84, 0x21];

describe('generateRecoveryCodes', () => {
  it('makes ten distinct grouped Crockford base32 codes and their hashes by default', () => {
    const { codes, hashes } = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(hashes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(CODE);
    for (const hash of hashes) expect(hash).toMatch(/^rc1\$[0-9a-f]{64}$/);
    expect(new Set(codes).size).toBe(10);
    expect(new Set(hashes).size).toBe(10);
  });

  it('stores nothing that contains the code', () => {
    const { codes, hashes } = generateRecoveryCodes(3);
    for (const code of codes) {
      for (const form of [code, code.replaceAll('-', ''), code.toLowerCase()]) {
        expect(hashes.join()).not.toContain(form);
      }
    }
  });

  it('uses all 80 random bits: flipping any one input bit changes the code', () => {
    const base = new Uint8Array(10);
    const seen = new Set([formatRecoveryCode(base)]);
    for (let bit = 0; bit < 80; bit++) {
      const flipped = Uint8Array.from(base);
      flipped[bit >> 3]! ^= 0x80 >> (bit & 7);
      seen.add(formatRecoveryCode(flipped));
    }
    expect(seen.size).toBe(81);
  });

  it('encodes bytes as 5-bit Crockford symbols, most significant first', () => {
    expect(formatRecoveryCode(new Uint8Array(10))).toBe('0000-0000-0000-0000');
    expect(formatRecoveryCode(new Uint8Array(10).fill(0xff))).toBe('ZZZZ-ZZZZ-ZZZZ-ZZZZ');
    expect(formatRecoveryCode(Uint8Array.from(ONES))).toBe('1111-1111-1111-1111');
  });

  it('asks the injected source for 10 bytes per code', () => {
    const sizes: number[] = [];
    generateRecoveryCodes(4, {
      randomBytes: (size) => {
        sizes.push(size);
        return Uint8Array.from({ length: size }, () => sizes.length);
      },
    });
    expect(sizes).toEqual([10, 10, 10, 10]);
  });

  it('refuses a broken random source that repeats itself', () => {
    expect(() => generateRecoveryCodes(2, { randomBytes: (size) => new Uint8Array(size) })).toThrow(
      RecoveryCodeRandomnessError,
    );
  });

  it.each([0, -1, 2.5, 101, Number.NaN])('refuses to make %s codes', (n) => {
    expect(() => generateRecoveryCodes(n)).toThrow(InvalidRecoveryCodeCountError);
  });
});

describe('consumeRecoveryCode', () => {
  it('accepts a code once and returns the other hashes', () => {
    const { codes, hashes } = generateRecoveryCodes();
    const used = consumeRecoveryCode(codes[3]!, hashes);
    expect(used).toEqual({ ok: true, remaining: hashes.filter((_, i) => i !== 3) });
    expect(hashes).toHaveLength(10); // the input is not modified
  });

  it('is single-use: the same code against the remaining hashes fails', () => {
    const { codes, hashes } = generateRecoveryCodes();
    const first = consumeRecoveryCode(codes[0]!, hashes);
    if (!first.ok) throw new Error('first use must succeed');
    expect(consumeRecoveryCode(codes[0]!, first.remaining)).toEqual({ ok: false });
    const second = consumeRecoveryCode(codes[1]!, first.remaining);
    expect(second.ok && second.remaining).toHaveLength(8);
  });

  it('can use every code once, leaving none', () => {
    const { codes, hashes } = generateRecoveryCodes(5);
    let remaining = hashes;
    for (const code of codes.reverse()) {
      const result = consumeRecoveryCode(code, remaining);
      if (!result.ok) throw new Error('each code must work once');
      remaining = result.remaining;
    }
    expect(remaining).toEqual([]);
  });

  it('refuses a code from another set', () => {
    const mine = generateRecoveryCodes();
    const theirs = generateRecoveryCodes();
    expect(consumeRecoveryCode(theirs.codes[0]!, mine.hashes)).toEqual({ ok: false });
  });

  it('reads case, spaces, dashes and Crockford look-alikes (I, L → 1; O → 0) forgivingly', () => {
    const { codes, hashes } = generateRecoveryCodes(2, {
      randomBytes: fixedBytes(ONES, Array(10).fill(0)),
    });
    expect(codes).toEqual(['1111-1111-1111-1111', '0000-0000-0000-0000']);
    for (const typed of ['iiii-llll-IIII-LLLL', '1111 1111 1111 1111', '1111111111111111']) {
      expect(consumeRecoveryCode(typed, hashes).ok).toBe(true);
    }
    for (const typed of [
      'oooo-OOOO-0000-oOoO',
      ' 0000–0000—0000-0000 ',
      'ＯＯＯＯ００００OOOO0000',
    ]) {
      expect(consumeRecoveryCode(typed, hashes).ok).toBe(true);
    }
  });

  it.each(['', 'hello', '1111-1111-1111-111', '1111-1111-1111-11111', '1111-1111-1111-111U'])(
    'refuses the malformed input %j',
    (typed) => {
      const { hashes } = generateRecoveryCodes(1, { randomBytes: fixedBytes(ONES) });
      expect(consumeRecoveryCode(typed, hashes)).toEqual({ ok: false });
    },
  );

  it('refuses anything when no codes are left', () => {
    expect(consumeRecoveryCode('1111-1111-1111-1111', [])).toEqual({ ok: false });
  });

  it.each(['', 'rc1$abc', `rc2$${'0'.repeat(64)}`, `rc1$${'G'.repeat(64)}`])(
    'throws for the malformed stored hash %j',
    (bad) => {
      const { codes, hashes } = generateRecoveryCodes(2);
      expect(() => consumeRecoveryCode(codes[0]!, [...hashes, bad])).toThrow(
        InvalidRecoveryCodeHashError,
      );
    },
  );
});
