import { randomBytes } from 'node:crypto';

import { gcmOpen, gcmSeal, NONCE_BYTES, TAG_BYTES } from './aes-gcm.js';
import { IntegrityError } from './errors.js';

/**
 * AES-256-GCM under a caller-held key, for small server-side tokens such as paging cursors:
 * `nonce(12) ‖ ciphertext ‖ tag(16)`. The nonce is random, so keep the number of seals under
 * one key far below 2^32 (rotate the key well before then).
 */
export function sealWithKey(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const { ciphertext, tag } = gcmSeal(key, nonce, plaintext, aad);
  return Buffer.concat([nonce, ciphertext, tag], NONCE_BYTES + ciphertext.length + TAG_BYTES);
}

/** Inverse of `sealWithKey`; throws IntegrityError on any truncation, tamper or wrong aad. */
export function openWithKey(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new IntegrityError();
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const ciphertext = sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  return gcmOpen(key, nonce, ciphertext, tag, aad);
}
