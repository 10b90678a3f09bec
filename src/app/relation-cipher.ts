import { openWithKey, sealWithKey, type BlindIndex } from '../crypto/index.js';
import type { RelationCipher } from '../store/index.js';

/**
 * The store's relation cipher, on the crypto module: lookup keys are blind-index tokens (the
 * index key, with a term prefix no search term can take: search terms start with a resource
 * type), and sealed ids use their own system key ('relation-data'), never a patient's data key
 * — a search must open them before it knows whose they are.
 */
export function relationCipher(index: BlindIndex, relationKey: Buffer): RelationCipher {
  return {
    key: (kind, ref) => index.token(`haven:relation:${kind}|${ref}`),
    seal: (plain, aad) => sealWithKey(relationKey, Buffer.from(plain, 'utf8'), aad),
    open: (sealed, aad) => openWithKey(relationKey, sealed, aad).toString('utf8'),
  };
}
