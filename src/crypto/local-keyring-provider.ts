import { createSecretKey, randomBytes } from 'node:crypto';

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
  for (const { id } of ring.keys) {
    const match = /^local-(\d+)$/.exec(id);
    if (match?.[1] !== undefined) highest = Math.max(highest, Number(match[1]));
  }
  return `local-${highest + 1}`;
}

// The KEK id and the caller's context are both authenticated: a wrapped key relabelled with
// another KEK id, or presented for another owner/version/purpose, fails to unwrap.
function wrapAad(kekId: string, context: string): Buffer {
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
  #rotating: Promise<unknown> = Promise.resolve();

  private constructor(path: string, ring: Keyring, clock: Clock) {
    this.#path = path;
    this.#ring = ring;
    this.#clock = clock;
  }

  /** Writes a new keyring with one KEK, `local-1`. Throws KeyringExistsError if present. */
  static async create(path: string, clock: Clock = systemClock): Promise<LocalKeyringProvider> {
    const ring: Keyring = { current: 'local-1', keys: [newKek('local-1', clock())] };
    await createKeyringFile(path, ring);
    return new LocalKeyringProvider(path, ring, clock);
  }

  /** Throws KeyringMissingError, or KeyringUnreadableError for bad JSON/shape/permissions. */
  static async open(path: string, clock: Clock = systemClock): Promise<LocalKeyringProvider> {
    return new LocalKeyringProvider(path, await readKeyringFile(path), clock);
  }

  currentKekId(): string {
    return this.#ring.current;
  }

  /** Adds a KEK and makes it current; older KEKs remain for unwrapping. Returns the new id. */
  rotate(): Promise<string> {
    // Serialised so two rotations in one process cannot both write `local-N+1`.
    const run = this.#rotating.then(async () => {
      const kek = newKek(nextKekId(this.#ring), this.#clock());
      const next: Keyring = { current: kek.id, keys: [...this.#ring.keys, kek] };
      await replaceKeyringFile(this.#path, next);
      this.#ring = next; // only once the new keyring is durable
      return kek.id;
    });
    this.#rotating = run.catch(() => undefined);
    return run;
  }

  async wrapKey(plainKey: Buffer, context: string): Promise<WrappedKey> {
    if (!Buffer.isBuffer(plainKey) || plainKey.length === 0) {
      throw new TypeError('wrapKey requires a non-empty Buffer');
    }
    const kek = this.#kek(this.#ring.current);
    if (kek === undefined) throw new KeyUnavailableError();
    const nonce = randomBytes(NONCE_BYTES);
    const { ciphertext, tag } = gcmSeal(kek.key, nonce, plainKey, wrapAad(kek.id, context));
    const blob = Buffer.concat([Buffer.of(WRAP_FORMAT), nonce, ciphertext, tag]);
    return { kekId: kek.id, blob };
  }

  async unwrapKey(wrapped: WrappedKey, context: string): Promise<Buffer> {
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
    return new KeyUnavailableError(
      `this keyring does not hold key ${id} that the data was sealed with (keyring: ${this.#path}` +
        `${sameNameOtherKey ? `; its ${id} is a different key or the wrapped key is damaged` : ''})`,
      { kekId: id, keyring: this.#path },
    );
  }

  status(): KeyProviderStatus {
    return {
      kind: this.kind,
      currentKekId: this.#ring.current,
      kekIds: this.#ring.keys.map((k) => k.id),
    };
  }

  #kek(id: string): Kek | undefined {
    return this.#ring.keys.find((k) => k.id === id);
  }
}
