import { createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';

import { KEY_BYTES } from './generate-key.js';

/**
 * The two keys derived from one data key. GCM is not key-committing: a ciphertext can be
 * crafted that authenticates under two different keys ("invisible salamanders"). As in the
 * AWS Encryption SDK, a separate commitment key derived from the same data key makes the
 * header commit to exactly one data key.
 */
export interface RecordKeys {
  readonly encryption: KeyObject;
  readonly commitment: KeyObject;
}

const EMPTY_SALT = Buffer.alloc(0);

function derive(dataKey: Buffer, label: string): KeyObject {
  const raw = Buffer.from(hkdfSync('sha256', dataKey, EMPTY_SALT, label, KEY_BYTES));
  const key = createSecretKey(raw);
  raw.fill(0);
  return key;
}

/**
 * HKDF-SHA-256 (RFC 5869) with distinct labels. The data key is uniformly random, so no salt
 * is needed. Computed once per data key; the vault caches the result, not the data key.
 */
export function deriveRecordKeys(dataKey: Buffer): RecordKeys {
  if (dataKey.length !== KEY_BYTES) throw new TypeError('a data key must be 32 bytes');
  return {
    encryption: derive(dataKey, 'haven-record/1 encryption'),
    commitment: derive(dataKey, 'haven-record/1 commitment'),
  };
}

/** HMAC-SHA-256(commitmentKey, headerPrefix ‖ aad): 32 bytes committing to key, nonce and AAD. */
export function commitmentOf(keys: RecordKeys, headerPrefix: Buffer, aad: Buffer): Buffer {
  return createHmac('sha256', keys.commitment).update(headerPrefix).update(aad).digest();
}
