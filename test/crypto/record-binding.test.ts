import { describe, expect, it } from 'vitest';

import {
  MAX_DATA_KEY_VERSION,
  recordAad,
  type RecordBinding,
} from '../../src/crypto/record-binding.js';

const base: RecordBinding = {
  resourceType: 'Observation',
  id: 'o1',
  version: 3,
  owner: 'Patient/1',
};

describe('recordAad', () => {
  it('encodes (format, type, id, version, owner, key version) length-prefixed', () => {
    const expected = Buffer.concat([
      Buffer.from('0000000101', 'hex'),
      Buffer.from('0000000b', 'hex'),
      Buffer.from('Observation'),
      Buffer.from('00000002', 'hex'),
      Buffer.from('o1'),
      Buffer.from('000000080000000000000003', 'hex'),
      Buffer.from('00000009', 'hex'),
      Buffer.from('Patient/1'),
      Buffer.from('0000000400000007', 'hex'),
    ]);
    expect(recordAad(1, base, 7).equals(expected)).toBe(true);
  });

  it('differs when any bound field differs', () => {
    const aad = recordAad(1, base, 1);
    const variants = [
      recordAad(2, base, 1),
      recordAad(1, { ...base, resourceType: 'Condition' }, 1),
      recordAad(1, { ...base, id: 'o2' }, 1),
      recordAad(1, { ...base, version: 4 }, 1),
      recordAad(1, { ...base, owner: 'Patient/2' }, 1),
      recordAad(1, base, 2),
    ];
    for (const variant of variants) expect(variant.equals(aad)).toBe(false);
  });

  it('encodes versions beyond 2^32 exactly', () => {
    // format field (5 bytes) + 'Observation' (15) + 'o1' (6): the version field starts at 26.
    const big = recordAad(1, { ...base, version: 2 ** 40 + 5 }, 1);
    expect(big.subarray(26, 38).toString('hex')).toBe('000000080000010000000005');
  });

  it('refuses malformed bindings', () => {
    expect(() => recordAad(1, { ...base, id: '' }, 1)).toThrow(TypeError);
    expect(() => recordAad(1, { ...base, version: 1.5 }, 1)).toThrow(TypeError);
    expect(() => recordAad(1, { ...base, version: -1 }, 1)).toThrow(TypeError);
    expect(() => recordAad(1, { ...base, owner: '\uD800' }, 1)).toThrow(TypeError);
    expect(() => recordAad(1, base, 0)).toThrow(TypeError);
    // Each refusal names the field it is about.
    expect(() => recordAad(1, { ...base, resourceType: '' }, 1)).toThrow(/^binding\.resourceType /);
    expect(() => recordAad(1, { ...base, id: '' }, 1)).toThrow(/^binding\.id /);
    expect(() => recordAad(1, { ...base, version: -1 }, 1)).toThrow(/^binding\.version /);
    expect(() => recordAad(1, { ...base, owner: '' }, 1)).toThrow(/^binding\.owner /);
    expect(() => recordAad(1, base, 0)).toThrow(/^data key version /);
  });

  it('takes versions up to their bounds and refuses one past them', () => {
    expect(recordAad(1, base, MAX_DATA_KEY_VERSION)).toBeInstanceOf(Buffer);
    expect(() => recordAad(1, base, MAX_DATA_KEY_VERSION + 1)).toThrow(TypeError);
    const maxVersion = { ...base, version: Number.MAX_SAFE_INTEGER };
    expect(recordAad(1, maxVersion, 1)).toBeInstanceOf(Buffer);
    expect(() => recordAad(1, { ...base, version: Number.MAX_SAFE_INTEGER + 1 }, 1)).toThrow(
      TypeError,
    );
  });
});
