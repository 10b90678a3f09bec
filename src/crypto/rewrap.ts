import { dataKeyContext } from './data-keys.js';
import type { KeyProvider } from './key-provider.js';
import { systemKeyContext } from './system-key.js';

/** A stored wrapped key as the rotation sees it (data key: owner+version; system key: purpose, 0). */
export interface StoredWrap {
  table: 'data' | 'system';
  owner: string;
  version: number;
  kekId: string;
  wrapped: Buffer;
}

/** How many live data keys and system keys one KEK wraps. */
export interface KekUse {
  kekId: string;
  dataKeys: number;
  systemKeys: number;
}

/** The store's side of a rotation, implemented by the store module. */
export interface WrapStore {
  countByKek(): Promise<KekUse[]>;
  notUnder(kekId: string, limit: number): Promise<StoredWrap[]>;
  /** One transaction per call; a row changes only if it still holds `from`. */
  replace(changes: { from: StoredWrap; kekId: string; wrapped: Buffer }[]): Promise<number>;
}

export interface RewrapOptions {
  batchSize: number;
  /** Called after each committed batch with the running count and the first count's total. */
  onBatch?: (done: number, total: number) => void | Promise<void>;
}

const contextOf = (w: StoredWrap): string =>
  w.table === 'system' ? systemKeyContext(w.owner) : dataKeyContext(w.owner, w.version);

/**
 * Re-wraps every stored key that is not under the provider's current KEK, a batch at a time,
 * each batch in its own transaction. Online: a reader sees either the old wrap (its KEK is still
 * held) or the new one. Interrupted, it leaves every row under one of the two and a re-run picks
 * up what is left. Keys are unwrapped and re-wrapped by the provider (inside the HSM for
 * PKCS#11); plaintext data keys exist only for the moment between, and are zeroed.
 */
export async function rewrapAll(
  provider: KeyProvider,
  store: WrapStore,
  opts: RewrapOptions,
): Promise<number> {
  await provider.refresh();
  const target = provider.currentKekId();
  const total = (await store.countByKek())
    .filter((u) => u.kekId !== target)
    .reduce((n, u) => n + u.dataKeys + u.systemKeys, 0);
  let done = 0;
  for (;;) {
    const batch = await store.notUnder(target, opts.batchSize);
    if (batch.length === 0) return done;
    const changes = [];
    for (const from of batch) {
      const plain = await provider.unwrapKey(
        { kekId: from.kekId, blob: from.wrapped },
        contextOf(from),
      );
      try {
        const next = await provider.wrapKey(plain, contextOf(from));
        // A rotation elsewhere moved the current KEK: stop rather than wrap under two targets.
        if (next.kekId !== target) throw new RotationMovedError(target, next.kekId);
        changes.push({ from, kekId: next.kekId, wrapped: next.blob });
      } finally {
        plain.fill(0);
      }
    }
    done += await store.replace(changes);
    await opts.onBatch?.(Math.min(done, Math.max(total, done)), Math.max(total, done));
  }
}

/** Another rotation made a newer KEK current while this one ran; run the rotation again. */
export class RotationMovedError extends Error {
  readonly code = 'rotation-moved';

  constructor(expected: string, found: string) {
    super(`the current key changed from ${expected} to ${found} during the rotation; run it again`);
  }
}
