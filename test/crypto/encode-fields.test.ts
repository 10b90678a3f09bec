import { describe, expect, it } from 'vitest';

import { checkInteger, checkText, encodeFields } from '../../src/crypto/encode-fields.js';

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
    expect(() => checkText('', 'owner')).toThrow(
      new TypeError('owner must be a non-empty, well-formed string'),
    );
  });
});

describe('checkInteger', () => {
  it('takes integers in [min, max], bounds included, and refuses everything else', () => {
    expect(() => checkInteger(1, 'n', 1, 3)).not.toThrow();
    expect(() => checkInteger(3, 'n', 1, 3)).not.toThrow();
    for (const bad of [0, 4, 1.5, Number.NaN, '2', undefined]) {
      expect(() => checkInteger(bad, 'n', 1, 3), String(bad)).toThrow(
        new TypeError('n must be an integer in [1, 3]'),
      );
    }
  });
});
