import { describe, expect, it } from 'vitest';

import { generateKey, IntegrityError, openWithKey, sealWithKey } from '../../src/crypto/index.js';

describe('sealWithKey / openWithKey', () => {
  const key = generateKey();
  const aad = Buffer.from('cursor|v1');
  const plaintext = Buffer.from('{"offset":20,"sort":"-_lastUpdated"}');

  it('round-trips and adds exactly nonce (12) + tag (16) bytes', () => {
    const sealed = sealWithKey(key, plaintext, aad);
    expect(sealed.length).toBe(plaintext.length + 28);
    expect(openWithKey(key, sealed, aad)).toEqual(plaintext);
  });

  it('uses a fresh nonce every time', () => {
    const a = sealWithKey(key, plaintext, aad);
    const b = sealWithKey(key, plaintext, aad);
    expect(a.subarray(0, 12).equals(b.subarray(0, 12))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  it('refuses every single-byte alteration', () => {
    const sealed = sealWithKey(key, Buffer.from('tiny'), aad);
    for (let i = 0; i < sealed.length; i++) {
      const bad = Buffer.from(sealed);
      bad[i]! ^= 0x01;
      expect(() => openWithKey(key, bad, aad), `byte ${i}`).toThrow(IntegrityError);
    }
  });

  it('refuses the wrong key, the wrong AAD, truncation and short input', () => {
    const sealed = sealWithKey(key, plaintext, aad);
    expect(() => openWithKey(generateKey(), sealed, aad)).toThrow(IntegrityError);
    expect(() => openWithKey(key, sealed, Buffer.from('cursor|v2'))).toThrow(IntegrityError);
    expect(() => openWithKey(key, sealed.subarray(0, sealed.length - 4), aad)).toThrow(
      IntegrityError,
    );
    expect(() => openWithKey(key, Buffer.alloc(27), aad)).toThrow(IntegrityError);
    // Shorter than a nonce: still an integrity failure, not a programming error from AES-GCM.
    for (const n of [0, 5, 11]) {
      expect(() => openWithKey(key, Buffer.alloc(n), aad), `${n} bytes`).toThrow(IntegrityError);
    }
  });

  it('round-trips an empty plaintext', () => {
    expect(openWithKey(key, sealWithKey(key, Buffer.alloc(0), aad), aad).length).toBe(0);
  });
});
