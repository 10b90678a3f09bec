import { randomBytes } from 'node:crypto';

/** Length in bytes of every symmetric key the vault handles (AES-256, HMAC-SHA-256 keys). */
export const KEY_BYTES = 32;

/** 32 bytes from the operating system's CSPRNG. */
export function generateKey(): Buffer {
  return randomBytes(KEY_BYTES);
}
