import { KeyUnavailableError } from './errors.js';
import { checkText } from './encode-fields.js';
import { generateKey, KEY_BYTES } from './generate-key.js';
import type { KeyProvider, WrappedKey } from './key-provider.js';

/** Persistence of wrapped system keys, implemented by the store module. */
export interface SystemKeyRepository {
  get(purpose: string): Promise<WrappedKey | undefined>;
  /** False if a key for `purpose` already exists: another process won the race. */
  insert(purpose: string, w: WrappedKey): Promise<boolean>;
}

async function unwrap(
  provider: KeyProvider,
  wrapped: WrappedKey,
  context: string,
): Promise<Buffer> {
  const key = await provider.unwrapKey(wrapped, context);
  if (key.length !== KEY_BYTES) {
    key.fill(0);
    throw new KeyUnavailableError();
  }
  return key;
}

/** Wrap context of a system key: its purpose is bound, so one cannot be read back as another. */
export function systemKeyContext(purpose: string): string {
  return `system-key|${purpose}`;
}

/**
 * Returns the process-wide key for `purpose` ('blind-index', 'audit-signing', 'search-cursor', ...),
 * creating and storing it, wrapped, on first use. The purpose is bound into the wrap, so a
 * key stored under one purpose cannot be read back as another's.
 *
 * Race-safe: if two processes create at once, the one whose insert loses discards its key and
 * uses the winner's, so every process ends up with the same key.
 */
export async function loadOrCreateSystemKey(
  purpose: string,
  provider: KeyProvider,
  repo: SystemKeyRepository,
): Promise<Buffer> {
  checkText(purpose, 'purpose');
  const context = systemKeyContext(purpose);
  const existing = await repo.get(purpose);
  if (existing !== undefined) return unwrap(provider, existing, context);

  const key = generateKey();
  if (await repo.insert(purpose, await provider.wrapKey(key, context))) return key;
  key.fill(0);
  const winner = await repo.get(purpose);
  if (winner === undefined) throw new KeyUnavailableError('system key could not be created');
  return unwrap(provider, winner, context);
}
