import { Lru, openWithKey, sealWithKey, type BlindIndex } from '../crypto/index.js';
import type { RelationCipher } from '../store/index.js';

/** Lookup keys remembered: every read by a person needs two, for the same few people. */
const KEY_CACHE = 10_000;

/**
 * The store's relation cipher, on the crypto module: lookup keys are blind-index tokens (the
 * index key, with a term prefix no search term can take: search terms start with a resource
 * type), and sealed ids use their own system key ('relation-data'), never a patient's data key
 * — a search must open them before it knows whose they are. Keys are memoised (bounded): an
 * HMAC costs more than the SQLite lookup it feeds on the hot read path.
 */
export function relationCipher(index: BlindIndex, relationKey: Buffer): RelationCipher {
  const keys = new Lru<string, Buffer>(KEY_CACHE);
  return {
    key: (kind, ref) => {
      const term = `haven:relation:${kind}|${ref}`;
      let key = keys.get(term);
      if (key === undefined) {
        key = index.token(term);
        keys.set(term, key);
      }
      return key;
    },
    seal: (plain, aad) => sealWithKey(relationKey, Buffer.from(plain, 'utf8'), aad),
    open: (sealed, aad) => openWithKey(relationKey, sealed, aad).toString('utf8'),
  };
}
