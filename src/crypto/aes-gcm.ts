import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto';

import { IntegrityError } from './errors.js';
import { KEY_BYTES } from './generate-key.js';

/** 96-bit nonces: the only length for which GCM uses the counter directly (SP 800-38D §8.2.2). */
export const NONCE_BYTES = 12;
/** Full 128-bit tags only; SP 800-38D Appendix C explains why shorter tags weaken forgery bounds. */
export const TAG_BYTES = 16;

export interface GcmSealed {
  ciphertext: Buffer;
  tag: Buffer;
}

function checkInputs(key: KeyObject | Buffer, nonce: Buffer): void {
  const keyBytes = Buffer.isBuffer(key) ? key.length : key.symmetricKeySize;
  if (keyBytes !== KEY_BYTES) throw new TypeError('AES-256-GCM requires a 32-byte key');
  if (nonce.length !== NONCE_BYTES) throw new TypeError('AES-256-GCM requires a 12-byte nonce');
}

/** AES-256-GCM encryption with an explicit nonce. Callers own nonce uniqueness. */
export function gcmSeal(
  key: KeyObject | Buffer,
  nonce: Buffer,
  plaintext: Buffer,
  aad: Buffer,
): GcmSealed {
  checkInputs(key, nonce);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = cipher.update(plaintext);
  // GCM is a stream mode: final() emits nothing, but it is what computes the tag.
  cipher.final();
  return { ciphertext, tag: cipher.getAuthTag() };
}

/**
 * AES-256-GCM decryption. Returns the plaintext only after the tag verified; any failure,
 * including a tag shorter than 16 bytes (which OpenSSL would otherwise accept), is an
 * IntegrityError.
 */
export function gcmOpen(
  key: KeyObject | Buffer,
  nonce: Buffer,
  ciphertext: Buffer,
  tag: Buffer,
  aad: Buffer,
): Buffer {
  checkInputs(key, nonce);
  if (tag.length !== TAG_BYTES) throw new IntegrityError();
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    plaintext = decipher.update(ciphertext);
    decipher.final();
  } catch {
    throw new IntegrityError();
  }
  return plaintext;
}
