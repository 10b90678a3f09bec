import { createSecretKey, randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';

import { gcmOpen, gcmSeal, NONCE_BYTES, TAG_BYTES } from './aes-gcm.js';
import { encodeFields } from './encode-fields.js';
import { KeyUnavailableError } from './errors.js';
import { generateKey } from './generate-key.js';
import type { KeyProvider, KeyProviderStatus, WrappedKey } from './key-provider.js';
import {
  createKeyringFile,
  readKeyringFile,
  replaceKeyringFile,
  type Kek,
  type Keyring,
} from './keyring-file.js';

/** Wrapped blob: `0x01 ‖ nonce(12) ‖ ciphertext ‖ tag(16)`, AES-256-GCM under the KEK. */
const WRAP_FORMAT = 0x01;
const WRAP_LABEL = 'haven-key-wrap/1';

function newKek(id: string, now: Date): Kek {
  const raw = generateKey();
  const key = createSecretKey(raw);
  raw.fill(0);
  return { id, created: now.toISOString(), key };
}

/** The installation's injected clock stamps each KEK's `created`; the system clock by default. */
type Clock = () => Date;
const systemClock: Clock = () => new Date();

function nextKekId(ring: Keyring): string {
  let highest = 0;
  for (const { id } of [...ring.keys, ...ring.retired]) {
    const match = /^local-(\d+)$/.exec(id);
    if (match?.[1] !== undefined) highest = Math.max(highest, Number(match[1]));
  }
  return `local-${highest + 1}`;
}

// The KEK id and the caller's context are both authenticated: a wrapped key relabelled with
// another KEK id, or presented for another owner/version/purpose, fails to unwrap.
export function wrapAad(kekId: string, context: string): Buffer {
  return encodeFields([WRAP_LABEL, kekId, context]);
}

/**
 * KEKs in a JSON file on local disk (mode 0600). Suited to a single host; the file must be
 * backed up separately from the database, since either alone is useless and both together
 * are everything.
 *
 * Each wrap draws a random 96-bit nonce under the KEK. Wraps happen once per data-key
 * version, so even millions of owners stay many orders of magnitude below the 2^32 bound.
 */
export class LocalKeyringProvider implements KeyProvider {
  readonly kind = 'local-keyring';

  readonly #path: string;
  readonly #clock: Clock;
  #ring: Keyring;
  // Which file the ring was read from (inode, size, mtime): another process's rotation replaces
  // the file (rename), so a changed stamp means "read it again".
  #stamp: string;
  #rotating: Promise<unknown> = Promise.resolve();

  private constructor(path: string, ring: Keyring, clock: Clock, stamp: string) {
    this.#path = path;
    this.#ring = ring;
    this.#clock = clock;
    this.#stamp = stamp;
  }

  /** Writes a new keyring with one KEK, `local-1`. Throws KeyringExistsError if present. */
  static async create(path: string, clock: Clock = systemClock): Promise<LocalKeyringProvider> {
    const ring: Keyring = { current: 'local-1', keys: [newKek('local-1', clock())], retired: [] };
    await createKeyringFile(path, ring);
    return new LocalKeyringProvider(path, ring, clock, await fileStamp(path));
  }

  /** Throws KeyringMissingError, or KeyringUnreadableError for bad JSON/shape/permissions. */
  static async open(path: string, clock: Clock = systemClock): Promise<LocalKeyringProvider> {
    // Stamp before reading: a replacement in between is then seen (and read) on first refresh.
    const stamp = await fileStamp(path).catch(() => '');
    return new LocalKeyringProvider(path, await readKeyringFile(path), clock, stamp);
  }

  /** Empty once every KEK was retired (the keys moved to an HSM). */
  currentKekId(): string {
    return this.#ring.current ?? '';
  }

  async refresh(): Promise<void> {
    const stamp = await fileStamp(this.#path).catch(() => this.#stamp);
    if (stamp === this.#stamp) return;
    const ring = await readKeyringFile(this.#path);
    // KEKs this process already holds stay usable until it restarts, even if another process
    // retired them: a read in flight never fails because of a rotation elsewhere.
    const kept = this.#ring.keys.filter((k) => !ring.keys.some((n) => n.id === k.id));
    this.#ring = { ...ring, keys: [...ring.keys, ...kept] };
    this.#stamp = stamp;
  }

  /** Adds a KEK and makes it current; older KEKs remain for unwrapping. Returns the new id. */
  rotate(): Promise<string> {
    return this.#change(async (ring) => {
      const kek = newKek(nextKekId(ring), this.#clock());
      return [{ ...ring, current: kek.id, keys: [...ring.keys, kek] }, kek.id];
    });
  }

  /**
   * Removes a KEK from the file and records its id as retired. Refuses the current KEK unless
   * `evenCurrent` (the whole keyring handed over to an HSM).
   */
  async retire(kekId: string, evenCurrent = false): Promise<void> {
    await this.#change(async (ring) => {
      if (!ring.keys.some((k) => k.id === kekId)) return [ring, undefined];
      if (kekId === ring.current && !evenCurrent) {
        throw new KeyUnavailableError(`key ${kekId} is current; rotate before retiring it`);
      }
      const keys = ring.keys.filter((k) => k.id !== kekId);
      const retired = [...ring.retired, { id: kekId, retired: this.#clock().toISOString() }];
      return [
        { current: kekId === ring.current ? undefined : ring.current, keys, retired },
        undefined,
      ];
    });
  }

  async close(): Promise<void> {
    // Nothing held open: the keyring is read whole.
  }

  // Read-modify-write of the file, serialised in this process; the ring in memory follows only
  // once the new file is durable.
  #change<T>(edit: (ring: Keyring) => Promise<[Keyring, T]>): Promise<T> {
    const run = this.#rotating.then(async () => {
      const latest = await readKeyringFile(this.#path);
      const [next, result] = await edit(latest);
      if (next !== latest) await replaceKeyringFile(this.#path, next);
      this.#ring = next;
      this.#stamp = await fileStamp(this.#path);
      return result;
    });
    this.#rotating = run.catch(() => undefined);
    return run;
  }

  async wrapKey(plainKey: Buffer, context: string): Promise<WrappedKey> {
    if (!Buffer.isBuffer(plainKey) || plainKey.length === 0) {
      throw new TypeError('wrapKey requires a non-empty Buffer');
    }
    // New wraps follow a rotation made by another process at once (one stat per new data key).
    await this.refresh();
    const kek = this.#ring.current === undefined ? undefined : this.#kek(this.#ring.current);
    if (kek === undefined) throw new KeyUnavailableError('this keyring holds no current key');
    const nonce = randomBytes(NONCE_BYTES);
    const { ciphertext, tag } = gcmSeal(kek.key, nonce, plainKey, wrapAad(kek.id, context));
    const blob = Buffer.concat([Buffer.of(WRAP_FORMAT), nonce, ciphertext, tag]);
    return { kekId: kek.id, blob };
  }

  async unwrapKey(wrapped: WrappedKey, context: string): Promise<Buffer> {
    // A KEK this process does not know may have been added by a rotation in another process.
    if (this.#kek(wrapped.kekId) === undefined) await this.refresh();
    const kek = this.#kek(wrapped.kekId);
    const { blob } = wrapped;
    if (kek === undefined) throw this.#notHeld(wrapped.kekId, false);
    if (
      !Buffer.isBuffer(blob) ||
      blob.length <= 1 + NONCE_BYTES + TAG_BYTES ||
      blob[0] !== WRAP_FORMAT
    ) {
      throw new KeyUnavailableError();
    }
    try {
      return gcmOpen(
        kek.key,
        blob.subarray(1, 1 + NONCE_BYTES),
        blob.subarray(1 + NONCE_BYTES, blob.length - TAG_BYTES),
        blob.subarray(blob.length - TAG_BYTES),
        wrapAad(kek.id, context),
      );
    } catch {
      // A KEK of that name that does not open the blob: most often another installation's
      // keyring (every keyring starts at local-1). A tampered blob or wrong context ends here too.
      throw this.#notHeld(kek.id, true);
    }
  }

  /** Names the expected KEK and this keyring's file: ids and a path, no key material. */
  #notHeld(kekId: string, sameNameOtherKey: boolean): KeyUnavailableError {
    // Ids are checked against KEK_ID when the keyring is read; a stored id is shown only if sane.
    const id = /^[A-Za-z0-9._-]{1,64}$/.test(kekId) ? kekId : '(invalid id)';
    const gone = this.#ring.retired.find((r) => r.id === kekId);
    if (gone !== undefined) {
      return new KeyUnavailableError(
        `key ${id} was retired on ${gone.retired} (keyring: ${this.#path}); nothing should still be wrapped under it`,
        { kekId: id, keyring: this.#path },
      );
    }
    return new KeyUnavailableError(
      `this keyring does not hold key ${id} that the data was sealed with (keyring: ${this.#path}` +
        `${sameNameOtherKey ? `; its ${id} is a different key or the wrapped key is damaged` : ''})`,
      { kekId: id, keyring: this.#path },
    );
  }

  status(): KeyProviderStatus {
    return {
      kind: this.kind,
      currentKekId: this.#ring.current ?? '',
      // Keys kept in memory after another process retired them are not reported as held.
      kekIds: this.#ring.keys
        .map((k) => k.id)
        .filter((id) => !this.#ring.retired.some((r) => r.id === id)),
      retiredKekIds: this.#ring.retired.map((k) => k.id),
    };
  }

  #kek(id: string): Kek | undefined {
    return this.#ring.keys.find((k) => k.id === id);
  }
}

async function fileStamp(path: string): Promise<string> {
  const s = await stat(path, { bigint: true });
  return `${s.ino}:${s.size}:${s.mtimeNs}`;
}
