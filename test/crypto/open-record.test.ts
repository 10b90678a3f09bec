import { createDecipheriv, createHmac, hkdfSync } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { gcmSeal } from '../../src/crypto/aes-gcm.js';
import { generateKey, IntegrityError } from '../../src/crypto/index.js';
import { openRecord } from '../../src/crypto/open-record.js';
import { recordAad, type RecordBinding } from '../../src/crypto/record-binding.js';
import { deriveRecordKeys, type RecordKeys } from '../../src/crypto/record-keys.js';
import { sealRecord } from '../../src/crypto/seal-record.js';
import { parseSealed, SEALED_OVERHEAD } from '../../src/crypto/sealed-record.js';

const binding: RecordBinding = {
  resourceType: 'Observation',
  id: 'o1',
  version: 1,
  owner: 'Patient/1',
};
const plaintext = Buffer.from('{"resourceType":"Observation","status":"final"}');

/** Keys whose encryption key records whether GCM was ever reached. */
function watched(keys: RecordKeys): { keys: RecordKeys; gcmReached: () => boolean } {
  let reached = false;
  return {
    keys: {
      commitment: keys.commitment,
      get encryption() {
        reached = true;
        return keys.encryption;
      },
    },
    gcmReached: () => reached,
  };
}

describe('sealed record format', () => {
  const dataKey = generateKey();
  const keys = deriveRecordKeys(dataKey);
  const sealed = sealRecord(keys, 7, binding, plaintext);

  it('is format 0x01 ‖ version u32 ‖ nonce ‖ commitment ‖ ciphertext ‖ tag: 65 bytes of overhead', () => {
    expect(SEALED_OVERHEAD).toBe(65);
    expect(sealed.length).toBe(plaintext.length + 65);
    expect(sealed[0]).toBe(0x01);
    expect(sealed.readUInt32BE(1)).toBe(7);
  });

  it('matches an independent HKDF + HMAC + AES-GCM computation of the documented construction', () => {
    const derive = (label: string): Buffer =>
      Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), label, 32));
    const aad = recordAad(1, binding, 7);
    const commitment = createHmac('sha256', derive('haven-record/1 commitment'))
      .update(sealed.subarray(0, 17))
      .update(aad)
      .digest();
    expect(sealed.subarray(17, 49).equals(commitment)).toBe(true);

    const decipher = createDecipheriv(
      'aes-256-gcm',
      derive('haven-record/1 encryption'),
      sealed.subarray(5, 17),
    );
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    const opened = Buffer.concat([
      decipher.update(sealed.subarray(49, sealed.length - 16)),
      decipher.final(),
    ]);
    expect(opened.equals(plaintext)).toBe(true);
  });
});

describe('openRecord: key commitment', () => {
  const keys = deriveRecordKeys(generateKey());
  const sealed = sealRecord(keys, 1, binding, plaintext);

  it('opens an intact record (and the watch does see GCM run)', () => {
    const w = watched(keys);
    expect(openRecord(w.keys, binding, parseSealed(sealed)).equals(plaintext)).toBe(true);
    expect(w.gcmReached()).toBe(true);
  });

  it('refuses an altered commitment before GCM runs', () => {
    for (const at of [17, 30, 48]) {
      const bad = Buffer.from(sealed);
      bad[at]! ^= 0x01;
      const w = watched(keys);
      expect(() => openRecord(w.keys, binding, parseSealed(bad))).toThrow(IntegrityError);
      expect(w.gcmReached()).toBe(false);
    }
  });

  it('refuses a record under a data key it was not committed to, before GCM runs', () => {
    const w = watched(deriveRecordKeys(generateKey()));
    expect(() => openRecord(w.keys, binding, parseSealed(sealed))).toThrow(IntegrityError);
    expect(w.gcmReached()).toBe(false);
  });

  it('refuses a body that is GCM-valid under the presented key but committed to another key', () => {
    // The invisible-salamanders shape: GCM alone would accept this under `other`.
    const other = deriveRecordKeys(generateKey());
    const parts = parseSealed(sealed);
    const { ciphertext, tag } = gcmSeal(
      other.encryption,
      parts.nonce,
      plaintext,
      recordAad(1, binding, 1),
    );
    const forged = Buffer.concat([sealed.subarray(0, 49), ciphertext, tag]);
    const w = watched(other);
    expect(() => openRecord(w.keys, binding, parseSealed(forged))).toThrow(IntegrityError);
    expect(w.gcmReached()).toBe(false);
  });

  it('reaches GCM, and refuses, when only the ciphertext or tag is altered', () => {
    for (const at of [49, sealed.length - 1]) {
      const bad = Buffer.from(sealed);
      bad[at]! ^= 0x01;
      const w = watched(keys);
      expect(() => openRecord(w.keys, binding, parseSealed(bad))).toThrow(IntegrityError);
      expect(w.gcmReached()).toBe(true);
    }
  });
});

describe('parseSealed', () => {
  it('refuses anything shorter than the overhead, an unknown format and key version 0', () => {
    const sealed = sealRecord(deriveRecordKeys(generateKey()), 1, binding, Buffer.alloc(0));
    expect(() => parseSealed(sealed.subarray(0, 64))).toThrow(IntegrityError);
    expect(() => parseSealed(Buffer.concat([Buffer.of(2), sealed.subarray(1)]))).toThrow(
      IntegrityError,
    );
    const zero = Buffer.from(sealed);
    zero.writeUInt32BE(0, 1);
    expect(() => parseSealed(zero)).toThrow(IntegrityError);
  });
});
