import { randomBytes } from 'node:crypto';
import type { PKCS11 } from 'pkcs11js';
import { NONCE_BYTES, TAG_BYTES } from './aes-gcm.js';
import { KeyUnavailableError } from './errors.js';
import type { KeyProvider, KeyProviderStatus, WrappedKey } from './key-provider.js';
import { wrapAad } from './local-keyring-provider.js';
import { acquireModule, ckr, releaseModule } from './pkcs11-session.js';

/** Where the token is and how to log in. The PIN is a function so it is never serialised. */
export interface Pkcs11Settings {
  module: string;
  tokenLabel: string | undefined;
  slot: number | undefined;
  pin: () => string;
}

/** Wrapped blob: `0x02 ‖ iv(12) ‖ ciphertext ‖ tag(16)`, AES-256-GCM computed inside the token. */
const WRAP_FORMAT = 0x02;
const LABEL = /^haven-kek-(\d{1,9})$/;
const kekIdOf = (n: number): string => `pkcs11-${n}`;
const versionOf = (kekId: string): number | undefined => {
  const m = /^pkcs11-(\d{1,9})$/.exec(kekId);
  return m?.[1] === undefined ? undefined : Number(m[1]);
};

type Api = Awaited<ReturnType<typeof acquireModule>>['api'];

/**
 * KEKs on a PKCS#11 token (an HSM; SoftHSM2 in tests). Each KEK is an AES-256 key generated on
 * the token with CKA_SENSITIVE and not CKA_EXTRACTABLE: its value never leaves it. Data keys are
 * wrapped and unwrapped by C_Encrypt/C_Decrypt with CKM_AES_GCM inside the token, binding the
 * same associated data as the local keyring (label, KEK id, context), so both providers keep
 * one contract. Versions are token objects labelled `haven-kek-N` (id `pkcs11-N`); a retired
 * version is destroyed on the token, so a gap below the current version means "retired".
 *
 * PKCS#11 calls are synchronous and a whole wrap (init + encrypt) runs in one turn of the event
 * loop, so one session serves every caller without interleaving.
 */
export class Pkcs11Provider implements KeyProvider {
  readonly kind = 'pkcs11';

  readonly #settings: Pkcs11Settings;
  readonly #lib: PKCS11;
  readonly #api: Api;
  readonly #session: Buffer;
  #keks = new Map<string, Buffer>();
  #closed = false;

  private constructor(settings: Pkcs11Settings, lib: PKCS11, api: Api, session: Buffer) {
    this.#settings = settings;
    this.#lib = lib;
    this.#api = api;
    this.#session = session;
  }

  /**
   * Opens a session on the configured token and logs in; creates the first KEK if the token
   * holds none. Refuses with KeyUnavailableError naming the token (never the PIN) when the
   * module, the token or the login fails: Haven then serves no PHI.
   */
  static async open(settings: Pkcs11Settings): Promise<Pkcs11Provider> {
    const where = describeToken(settings);
    let mod: Awaited<ReturnType<typeof acquireModule>>;
    try {
      mod = await acquireModule(settings.module);
    } catch (e) {
      throw new KeyUnavailableError(
        `cannot load the PKCS#11 module ${settings.module} for ${where} (${ckr(e)})`,
      );
    }
    const { lib, api } = mod;
    let session: Buffer | undefined;
    try {
      const slot = findSlot(lib, settings);
      if (slot === undefined) throw new KeyUnavailableError(`${where} was not found`);
      session = lib.C_OpenSession(slot, api.CKF_SERIAL_SESSION | api.CKF_RW_SESSION);
      try {
        lib.C_Login(session, api.CKU_USER, settings.pin());
      } catch (e) {
        if (ckr(e) !== 'CKR_USER_ALREADY_LOGGED_IN') {
          throw new KeyUnavailableError(`cannot log in to ${where} (${ckr(e)})`);
        }
      }
      const provider = new Pkcs11Provider(settings, lib, api, session);
      await provider.refresh();
      if (provider.#keks.size === 0) await provider.rotate();
      return provider;
    } catch (e) {
      if (session !== undefined) lib.C_CloseSession(session);
      releaseModule(settings.module);
      if (e instanceof KeyUnavailableError) throw e;
      throw new KeyUnavailableError(`${where} is unusable (${ckr(e)})`);
    }
  }

  currentKekId(): string {
    return kekIdOf(this.#highest());
  }

  async refresh(): Promise<void> {
    const found = new Map<string, Buffer>();
    this.#call(() => {
      const lib = this.#lib;
      lib.C_FindObjectsInit(this.#session, [
        { type: this.#api.CKA_CLASS, value: this.#api.CKO_SECRET_KEY },
        { type: this.#api.CKA_KEY_TYPE, value: this.#api.CKK_AES },
      ]);
      try {
        for (const handle of lib.C_FindObjects(this.#session, 1000)) {
          const [label] = lib.C_GetAttributeValue(this.#session, handle, [
            { type: this.#api.CKA_LABEL },
          ]);
          const m = LABEL.exec(String(label?.value ?? ''));
          if (m?.[1] !== undefined) found.set(kekIdOf(Number(m[1])), handle);
        }
      } finally {
        lib.C_FindObjectsFinal(this.#session);
      }
    });
    this.#keks = found;
  }

  /** Generates the next KEK version on the token: sensitive, never extractable. */
  async rotate(): Promise<string> {
    await this.refresh();
    // Retired versions leave gaps but are never reused: the next is above the highest ever seen.
    const next = this.#highest() + 1;
    const api = this.#api;
    const handle = this.#call(() =>
      this.#lib.C_GenerateKey(this.#session, { mechanism: api.CKM_AES_KEY_GEN }, [
        { type: api.CKA_CLASS, value: api.CKO_SECRET_KEY },
        { type: api.CKA_KEY_TYPE, value: api.CKK_AES },
        { type: api.CKA_VALUE_LEN, value: 32 },
        { type: api.CKA_TOKEN, value: true },
        { type: api.CKA_PRIVATE, value: true },
        { type: api.CKA_SENSITIVE, value: true },
        { type: api.CKA_EXTRACTABLE, value: false },
        { type: api.CKA_ENCRYPT, value: true },
        { type: api.CKA_DECRYPT, value: true },
        { type: api.CKA_WRAP, value: false },
        { type: api.CKA_UNWRAP, value: false },
        { type: api.CKA_LABEL, value: `haven-kek-${next}` },
        { type: api.CKA_ID, value: Buffer.from(kekIdOf(next)) },
      ]),
    );
    this.#keks.set(kekIdOf(next), handle);
    return kekIdOf(next);
  }

  async retire(kekId: string): Promise<void> {
    await this.refresh();
    if (kekId === this.currentKekId()) {
      throw new KeyUnavailableError(`key ${kekId} is current; rotate before retiring it`);
    }
    const handle = this.#keks.get(kekId);
    if (handle === undefined) return;
    this.#call(() => this.#lib.C_DestroyObject(this.#session, handle));
    this.#keks.delete(kekId);
  }

  async wrapKey(plainKey: Buffer, context: string): Promise<WrappedKey> {
    if (!Buffer.isBuffer(plainKey) || plainKey.length === 0) {
      throw new TypeError('wrapKey requires a non-empty Buffer');
    }
    // A rotation made by another process is picked up before every new wrap.
    await this.refresh();
    const kekId = this.currentKekId();
    const handle = this.#keks.get(kekId);
    if (handle === undefined)
      throw new KeyUnavailableError(`${describeToken(this.#settings)} holds no key`);
    const iv = randomBytes(NONCE_BYTES);
    const sealed = this.#call(() => {
      this.#lib.C_EncryptInit(this.#session, this.#gcm(iv, wrapAad(kekId, context)), handle);
      return this.#lib.C_Encrypt(
        this.#session,
        plainKey,
        Buffer.alloc(plainKey.length + TAG_BYTES + 16),
      );
    });
    return { kekId, blob: Buffer.concat([Buffer.of(WRAP_FORMAT), iv, sealed]) };
  }

  async unwrapKey(wrapped: WrappedKey, context: string): Promise<Buffer> {
    const { kekId, blob } = wrapped;
    if (versionOf(kekId) === undefined) throw this.#notHeld(kekId);
    if (!this.#keks.has(kekId)) await this.refresh();
    const handle = this.#keks.get(kekId);
    if (handle === undefined) throw this.#notHeld(kekId);
    if (
      !Buffer.isBuffer(blob) ||
      blob.length <= 1 + NONCE_BYTES + TAG_BYTES ||
      blob[0] !== WRAP_FORMAT
    ) {
      throw new KeyUnavailableError();
    }
    const iv = blob.subarray(1, 1 + NONCE_BYTES);
    const body = blob.subarray(1 + NONCE_BYTES);
    return this.#call(() => {
      this.#lib.C_DecryptInit(this.#session, this.#gcm(iv, wrapAad(kekId, context)), handle);
      return Buffer.from(this.#lib.C_Decrypt(this.#session, body, Buffer.alloc(body.length)));
    });
  }

  status(): KeyProviderStatus {
    const held = [...this.#keks.keys()].sort((a, b) => versionOf(a)! - versionOf(b)!);
    const highest = this.#highest();
    const retired: string[] = [];
    for (let n = 1; n < highest; n++) if (!this.#keks.has(kekIdOf(n))) retired.push(kekIdOf(n));
    return {
      kind: this.kind,
      currentKekId: this.currentKekId(),
      kekIds: held,
      retiredKekIds: retired,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#lib.C_CloseSession(this.#session);
    } catch {
      /* the token may already be gone; the module is released below either way */
    }
    releaseModule(this.#settings.module);
  }

  #highest(): number {
    let n = 0;
    for (const id of this.#keks.keys()) n = Math.max(n, versionOf(id) ?? 0);
    return n;
  }

  #gcm(iv: Buffer, aad: Buffer) {
    return {
      mechanism: this.#api.CKM_AES_GCM,
      parameter: { type: this.#api.CK_PARAMS_AES_GCM, iv, aad, ivBits: 96, tagBits: 128 },
    };
  }

  /** Any token failure (removed, logged out, tag mismatch) is KeyUnavailableError: fail closed. */
  #call<T>(run: () => T): T {
    if (this.#closed) throw new KeyUnavailableError(`${describeToken(this.#settings)} is closed`);
    try {
      return run();
    } catch (e) {
      throw new KeyUnavailableError(`${describeToken(this.#settings)} refused (${ckr(e)})`);
    }
  }

  #notHeld(kekId: string): KeyUnavailableError {
    const id = /^[A-Za-z0-9._-]{1,64}$/.test(kekId) ? kekId : '(invalid id)';
    return new KeyUnavailableError(
      `${describeToken(this.#settings)} does not hold key ${id} that the data was sealed with`,
      { kekId: id, keyring: describeToken(this.#settings) },
    );
  }
}

/** The token as an operator names it: label or slot, and module. Never the PIN. */
export function describeToken(s: Pkcs11Settings): string {
  const which = s.tokenLabel !== undefined ? `label "${s.tokenLabel}"` : `slot ${s.slot}`;
  return `PKCS#11 token ${which} (module ${s.module})`;
}

function findSlot(lib: PKCS11, s: Pkcs11Settings): Buffer | undefined {
  const slots = lib.C_GetSlotList(true);
  // A slot id as the module reports it (softhsm2-util --show-slots), not a list position.
  const idOf = (slot: Buffer): bigint =>
    BigInt(`0x${Buffer.from(slot).reverse().toString('hex') || '0'}`);
  if (s.tokenLabel === undefined) return slots.find((slot) => idOf(slot) === BigInt(s.slot ?? 0));
  return slots.find((slot) => lib.C_GetTokenInfo(slot).label.trim() === s.tokenLabel);
}
