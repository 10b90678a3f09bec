import { describe, expect, it } from 'vitest';

import { gcmOpen, gcmSeal } from '../../src/crypto/aes-gcm.js';
import { IntegrityError } from '../../src/crypto/index.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

// Test cases 13-16 of D. McGrew and J. Viega, "The Galois/Counter Mode of Operation (GCM)",
// revised submission to NIST (2005), Appendix B — the AES-256 cases with a 96-bit IV.
const K16 = 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308';
const P60 =
  'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72' +
  '1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39';
const C60 =
  '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa' +
  '8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662';
const VECTORS = [
  {
    name: 'Test Case 13 (zero key, empty plaintext, no AAD)',
    key: '00'.repeat(32),
    iv: '00'.repeat(12),
    aad: '',
    plaintext: '',
    ciphertext: '',
    tag: '530f8afbc74536b9a963b4f1c4cb738b',
  },
  {
    name: 'Test Case 14 (zero key, one zero block)',
    key: '00'.repeat(32),
    iv: '00'.repeat(12),
    aad: '',
    plaintext: '00'.repeat(16),
    ciphertext: 'cea7403d4d606b6e074ec5d3baf39d18',
    tag: 'd0d1c8a799996bf0265b98b5d48ab919',
  },
  {
    name: 'Test Case 15 (64-byte plaintext, no AAD)',
    key: K16,
    iv: 'cafebabefacedbaddecaf888',
    aad: '',
    plaintext: `${P60}1aafd255`,
    ciphertext: `${C60}898015ad`,
    tag: 'b094dac5d93471bdec1a502270e3cc6c',
  },
  {
    name: 'Test Case 16 (60-byte plaintext, 20-byte AAD)',
    key: K16,
    iv: 'cafebabefacedbaddecaf888',
    aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    plaintext: P60,
    ciphertext: C60,
    tag: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
];

describe('AES-256-GCM against the McGrew-Viega GCM specification vectors', () => {
  for (const v of VECTORS) {
    it(`seals ${v.name}`, () => {
      const { ciphertext, tag } = gcmSeal(hex(v.key), hex(v.iv), hex(v.plaintext), hex(v.aad));
      expect(ciphertext.toString('hex')).toBe(v.ciphertext);
      expect(tag.toString('hex')).toBe(v.tag);
    });

    it(`opens ${v.name}`, () => {
      const opened = gcmOpen(hex(v.key), hex(v.iv), hex(v.ciphertext), hex(v.tag), hex(v.aad));
      expect(opened.toString('hex')).toBe(v.plaintext);
    });
  }
});

describe('gcmOpen', () => {
  const v = VECTORS[3]!;
  const open = (over: Partial<typeof v>): Buffer => {
    const w = { ...v, ...over };
    return gcmOpen(hex(w.key), hex(w.iv), hex(w.ciphertext), hex(w.tag), hex(w.aad));
  };

  it('refuses the genuine tag truncated to 12 bytes (OpenSSL alone would accept it)', () => {
    expect(() => open({ tag: v.tag.slice(0, 24) })).toThrow(IntegrityError);
    expect(() => open({ tag: v.tag.slice(0, 8) })).toThrow(IntegrityError);
  });

  it('refuses an altered tag, ciphertext, AAD or nonce', () => {
    expect(() => open({ tag: `${v.tag.slice(0, 30)}1a` })).toThrow(IntegrityError);
    expect(() => open({ ciphertext: `53${v.ciphertext.slice(2)}` })).toThrow(IntegrityError);
    expect(() => open({ aad: `${v.aad.slice(0, 38)}d3` })).toThrow(IntegrityError);
    expect(() => open({ iv: 'cafebabefacedbaddecaf889' })).toThrow(IntegrityError);
  });

  it('refuses keys and nonces of the wrong size as programming errors', () => {
    expect(() =>
      gcmSeal(Buffer.alloc(16), Buffer.alloc(12), Buffer.alloc(1), Buffer.alloc(0)),
    ).toThrow(new TypeError('AES-256-GCM requires a 32-byte key'));
    expect(() =>
      gcmSeal(Buffer.alloc(32), Buffer.alloc(8), Buffer.alloc(1), Buffer.alloc(0)),
    ).toThrow(new TypeError('AES-256-GCM requires a 12-byte nonce'));
  });
});
