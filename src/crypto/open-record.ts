import { timingSafeEqual } from 'node:crypto';

import { gcmOpen } from './aes-gcm.js';
import { IntegrityError } from './errors.js';
import { recordAad, type RecordBinding } from './record-binding.js';
import { commitmentOf, type RecordKeys } from './record-keys.js';
import { SEALED_FORMAT, type SealedParts } from './sealed-record.js';

/**
 * Opens a parsed sealed record with the keys of the data-key version its header names.
 *
 * The commitment is verified first, in constant time, so GCM never runs under a key the
 * ciphertext was not committed to. Only then does GCM check the tag; its plaintext is
 * returned only after the tag verified.
 */
export function openRecord(keys: RecordKeys, binding: RecordBinding, parts: SealedParts): Buffer {
  const aad = recordAad(SEALED_FORMAT, binding, parts.dataKeyVersion);
  if (!timingSafeEqual(commitmentOf(keys, parts.prefix, aad), parts.commitment)) {
    throw new IntegrityError();
  }
  return gcmOpen(keys.encryption, parts.nonce, parts.ciphertext, parts.tag, aad);
}
