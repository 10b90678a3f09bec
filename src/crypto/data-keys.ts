import { KeyDestroyedError, KeyUnavailableError } from './errors.js';
import { generateKey, KEY_BYTES } from './generate-key.js';
import type { DataKeyRecord, DataKeyRepository } from './data-key-repository.js';
import type { KeyProvider } from './key-provider.js';
import { MAX_DATA_KEY_VERSION } from './record-binding.js';
import { deriveRecordKeys, type RecordKeys } from './record-keys.js';

/**
 * Wrap context of a data key. The version is an integer, so parsing from the right is
 * unambiguous even if an owner id contained "|"; a wrapped key copied to another owner's or
 * version's row therefore fails to unwrap.
 */
export function dataKeyContext(owner: string, version: number): string {
  return `data-key|${owner}|${version}`;
}

/**
 * Unwraps a stored data key and derives its record keys; the data key itself is not kept.
 * The context is built from the owner and version that were asked for, not from the row, so a
 * row returned for the wrong owner or version fails to unwrap instead of being cached.
 */
export async function unwrapDataKey(
  provider: KeyProvider,
  owner: string,
  version: number,
  rec: DataKeyRecord,
): Promise<RecordKeys> {
  if (rec.destroyed) throw new KeyDestroyedError();
  // A version the sealed header could not carry means a corrupt row: refuse it, do not use it.
  if (!Number.isInteger(version) || version < 1 || version > MAX_DATA_KEY_VERSION) {
    throw new KeyUnavailableError();
  }
  const dataKey = await provider.unwrapKey(
    { kekId: rec.kekId, blob: rec.wrapped },
    dataKeyContext(owner, version),
  );
  try {
    if (dataKey.length !== KEY_BYTES) throw new KeyUnavailableError();
    return deriveRecordKeys(dataKey);
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Creates, wraps and inserts version `version` of `owner`'s data key. Returns its record keys,
 * or undefined when another process inserted that version first (the caller re-reads).
 */
export async function createDataKey(
  provider: KeyProvider,
  repo: DataKeyRepository,
  owner: string,
  version: number,
): Promise<RecordKeys | undefined> {
  const dataKey = generateKey();
  try {
    const { kekId, blob } = await provider.wrapKey(dataKey, dataKeyContext(owner, version));
    const inserted = await repo.insert({ owner, version, kekId, wrapped: blob });
    return inserted ? deriveRecordKeys(dataKey) : undefined;
  } finally {
    dataKey.fill(0);
  }
}
