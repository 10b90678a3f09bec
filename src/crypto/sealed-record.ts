import { IntegrityError } from './errors.js';
import { NONCE_BYTES, TAG_BYTES } from './aes-gcm.js';

/**
 * Sealed record layout (all integers big-endian):
 *
 *   offset  0  format            u8   = 0x01
 *   offset  1  dataKeyVersion    u32
 *   offset  5  nonce             12 bytes, random
 *   offset 17  commitment        32 bytes, HMAC-SHA-256 (see record-keys.ts)
 *   offset 49  ciphertext        same length as the plaintext
 *   end - 16   tag               16 bytes, GCM
 *
 * The header is readable before any key is loaded: the version says which data key to fetch.
 */
export const SEALED_FORMAT = 0x01;
export const PREFIX_BYTES = 1 + 4 + NONCE_BYTES;
export const COMMITMENT_BYTES = 32;
export const HEADER_BYTES = PREFIX_BYTES + COMMITMENT_BYTES;
/** Bytes a sealed record adds to its plaintext: 65. */
export const SEALED_OVERHEAD = HEADER_BYTES + TAG_BYTES;

export interface SealedParts {
  dataKeyVersion: number;
  /** format ‖ dataKeyVersion ‖ nonce: the bytes the commitment covers besides the AAD. */
  prefix: Buffer;
  nonce: Buffer;
  commitment: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** Splits a sealed record into views (no copies). Throws IntegrityError if it cannot be one. */
export function parseSealed(sealed: Buffer): SealedParts {
  if (!Buffer.isBuffer(sealed) || sealed.length < SEALED_OVERHEAD) throw new IntegrityError();
  if (sealed[0] !== SEALED_FORMAT) throw new IntegrityError();
  const dataKeyVersion = sealed.readUInt32BE(1);
  if (dataKeyVersion === 0) throw new IntegrityError();
  return {
    dataKeyVersion,
    prefix: sealed.subarray(0, PREFIX_BYTES),
    nonce: sealed.subarray(5, PREFIX_BYTES),
    commitment: sealed.subarray(PREFIX_BYTES, HEADER_BYTES),
    ciphertext: sealed.subarray(HEADER_BYTES, sealed.length - TAG_BYTES),
    tag: sealed.subarray(sealed.length - TAG_BYTES),
  };
}
