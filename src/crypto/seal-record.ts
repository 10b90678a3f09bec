import { randomFillSync } from 'node:crypto';

import { gcmSeal, TAG_BYTES } from './aes-gcm.js';
import { recordAad, type RecordBinding } from './record-binding.js';
import { commitmentOf, type RecordKeys } from './record-keys.js';
import { HEADER_BYTES, PREFIX_BYTES, SEALED_FORMAT } from './sealed-record.js';

/**
 * Seals one record under the keys of data-key version `dataKeyVersion`. The caller (the vault)
 * is responsible for having counted this encryption against the key's budget.
 */
export function sealRecord(
  keys: RecordKeys,
  dataKeyVersion: number,
  binding: RecordBinding,
  plaintext: Buffer,
): Buffer {
  const aad = recordAad(SEALED_FORMAT, binding, dataKeyVersion);
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header[0] = SEALED_FORMAT;
  header.writeUInt32BE(dataKeyVersion, 1);
  randomFillSync(header, 5, PREFIX_BYTES - 5);
  const prefix = header.subarray(0, PREFIX_BYTES);
  commitmentOf(keys, prefix, aad).copy(header, PREFIX_BYTES);
  const { ciphertext, tag } = gcmSeal(
    keys.encryption,
    header.subarray(5, PREFIX_BYTES),
    plaintext,
    aad,
  );
  return Buffer.concat([header, ciphertext, tag], HEADER_BYTES + ciphertext.length + TAG_BYTES);
}
