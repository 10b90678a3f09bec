import { createHmac } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { BlindIndex, generateKey } from '../../src/crypto/index.js';

describe('BlindIndex', () => {
  const key = Buffer.from(
    '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
    'hex',
  );
  // Built inside each test, not while collecting: a constructor that throws must fail tests.
  const index = () => new BlindIndex(key);

  it('is HMAC-SHA-256(key, UTF-8 term) truncated to 16 bytes (independent computation)', () => {
    for (const term of ['smith', 'family:müller', '1970-01-01', '😀']) {
      const expected = createHmac('sha256', key).update(Buffer.from(term, 'utf8')).digest();
      expect(index().token(term).toString('hex')).toBe(expected.subarray(0, 16).toString('hex'));
    }
  });

  it('returns 16 bytes, deterministically', () => {
    const token = index().token('smith');
    expect(token).toHaveLength(16);
    expect(new BlindIndex(Buffer.from(key)).token('smith').equals(token)).toBe(true);
  });

  it('depends on the key and on the term', () => {
    expect(new BlindIndex(generateKey()).token('smith').equals(index().token('smith'))).toBe(false);
    expect(index().token('smith').equals(index().token('smyth'))).toBe(false);
    expect(index().token('Smith').equals(index().token('smith'))).toBe(false); // caller normalises
  });

  it('maps tokens() over token()', () => {
    const tokens = index().tokens(['a', 'b', 'a']);
    expect(tokens.map((t) => t.toString('hex'))).toEqual(
      ['a', 'b', 'a'].map((t) => index().token(t).toString('hex')),
    );
  });

  it('refuses keys that are not 32 bytes, and empty or malformed terms', () => {
    expect(() => new BlindIndex(Buffer.alloc(16))).toThrow(
      new TypeError('a blind index key must be 32 bytes'),
    );
    expect(() => new BlindIndex(Buffer.alloc(33))).toThrow(TypeError);
    expect(() => new BlindIndex('0'.repeat(32) as unknown as Buffer)).toThrow(TypeError);
    expect(() => index().token('')).toThrow(
      new TypeError('term must be a non-empty, well-formed string'),
    );
    expect(() => index().token('\uD800')).toThrow(TypeError);
  });
});
