import { describe, expect, it } from 'vitest';

import { checkText, encodeFields } from '../../src/crypto/encode-fields.js';

describe('encodeFields', () => {
  it('prefixes every field with its 4-byte big-endian length', () => {
    expect(encodeFields(['ab', Buffer.of(0xff), '']).toString('hex')).toBe(
      '00000002' + '6162' + '00000001' + 'ff' + '00000000',
    );
  });

  it('counts UTF-8 bytes, not UTF-16 code units', () => {
    expect(encodeFields(['é']).toString('hex')).toBe('00000002c3a9');
  });

  it('keeps tuples that a plain join would confuse apart', () => {
    expect(encodeFields(['ab', 'c']).equals(encodeFields(['a', 'bc']))).toBe(false);
    expect(encodeFields(['a|b', 'c']).equals(encodeFields(['a', 'b|c']))).toBe(false);
    expect(encodeFields(['a', '']).equals(encodeFields(['', 'a']))).toBe(false);
  });
});

describe('checkText', () => {
  it('accepts well-formed text including astral characters', () => {
    expect(() => checkText('Patient/😀', 'owner')).not.toThrow();
  });

  it('refuses empty strings, non-strings and lone surrogates (they would encode alike)', () => {
    expect(() => checkText('', 'owner')).toThrow(TypeError);
    expect(() => checkText(42, 'owner')).toThrow(TypeError);
    expect(() => checkText('a\uD800', 'owner')).toThrow(TypeError);
    expect(() => checkText('\uDFFFa', 'owner')).toThrow(TypeError);
  });
});
