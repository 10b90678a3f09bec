import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

import { checkText } from './encode-fields.js';
import { KEY_BYTES } from './generate-key.js';

/** 128 bits: collisions among distinct terms stay negligible for any realistic index. */
export const TOKEN_BYTES = 16;

/**
 * Deterministic search tokens: HMAC-SHA-256(indexKey, UTF-8(term)) truncated to 16 bytes.
 *
 * Determinism is the point — equal terms give equal tokens, so an index can be searched
 * without decrypting — and also the leak: whoever reads the index sees which records share a
 * term and how often each token occurs. Index only terms where that is acceptable. The index
 * key must be separate from every encryption key. Normalisation is the caller's job.
 */
export class BlindIndex {
  readonly #key: KeyObject;

  constructor(key: Buffer) {
    if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
      throw new TypeError('a blind index key must be 32 bytes');
    }
    this.#key = createSecretKey(key);
  }

  token(term: string): Buffer {
    checkText(term, 'term');
    return createHmac('sha256', this.#key).update(term, 'utf8').digest().subarray(0, TOKEN_BYTES);
  }

  tokens(terms: string[]): Buffer[] {
    return terms.map((term) => this.token(term));
  }
}
