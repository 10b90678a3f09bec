import { checkInteger, checkText } from './encode-fields.js';
import { IntegrityError, KeyUnavailableError } from './errors.js';
import type { DataKeyRepository } from './data-key-repository.js';
import { createDataKey, unwrapDataKey } from './data-keys.js';
import type { KeyProvider } from './key-provider.js';
import { KeyBudget } from './key-budget.js';
import { Lru } from './lru.js';
import { openRecord } from './open-record.js';
import { checkBinding, MAX_DATA_KEY_VERSION, type RecordBinding } from './record-binding.js';
import type { RecordKeys } from './record-keys.js';
import { sealRecord } from './seal-record.js';
import { parseSealed } from './sealed-record.js';

export interface VaultOptions {
  provider: KeyProvider;
  dataKeys: DataKeyRepository;
  /** Owners whose derived keys stay in memory (LRU). Default 10,000. */
  cacheSize?: number;
  /**
   * How long an owner's derived keys stay cached after they were unwrapped, in ms (reads do not
   * extend it). Default 5 minutes; then the data key is unwrapped again through the provider.
   */
  cacheTtlMs?: number;
  /** The installation's injected clock, which the cache expiry reads. */
  clock?: () => Date;
  /** Encryptions per data-key version before a new version is made. Default 2^30. */
  maxEncryptionsPerKey?: number;
  /** Encryptions reserved per repository call. Default 4096. */
  reservationBlock?: number;
}

interface OwnerKeys {
  versions: Map<number, RecordKeys>;
  current: KeyBudget | undefined;
}

/**
 * Envelope encryption of records: one data key per owner, wrapped by the provider's KEK.
 * Only HKDF-derived keys are cached, never data keys, and only for cacheTtlMs; once an owner's keys are cached,
 * `decrypt` is synchronous work inside one promise.
 */
export class Vault {
  readonly #provider: KeyProvider;
  readonly #repo: DataKeyRepository;
  readonly #cache: Lru<string, OwnerKeys>;
  readonly #max: number;
  readonly #block: number;
  // Loads in progress, so concurrent first use of an owner unwraps or creates its key once.
  readonly #inflight = new Map<string, Promise<unknown>>();
  // Bumped by forget(): loads that started earlier return their keys but do not cache them.
  #epoch = 0;

  constructor(opts: VaultOptions) {
    const {
      cacheSize = 10_000,
      cacheTtlMs = 5 * 60_000,
      clock = () => new Date(),
      maxEncryptionsPerKey = 2 ** 30,
      reservationBlock = 4096,
    } = opts;
    checkInteger(cacheSize, 'cacheSize', 1, Number.MAX_SAFE_INTEGER);
    checkInteger(cacheTtlMs, 'cacheTtlMs', 1, Number.MAX_SAFE_INTEGER);
    // 2^32 is the SP 800-38D limit for random 96-bit nonces; it is a ceiling, not a target.
    checkInteger(maxEncryptionsPerKey, 'maxEncryptionsPerKey', 1, 2 ** 32);
    checkInteger(reservationBlock, 'reservationBlock', 1, 2 ** 32);
    this.#provider = opts.provider;
    this.#repo = opts.dataKeys;
    this.#cache = new Lru(cacheSize, { ttlMs: cacheTtlMs, clock });
    this.#max = maxEncryptionsPerKey;
    this.#block = reservationBlock;
  }

  async encrypt(binding: RecordBinding, plaintext: Buffer): Promise<Buffer> {
    checkBinding(binding);
    if (!Buffer.isBuffer(plaintext)) throw new TypeError('plaintext must be a Buffer');
    const cached = this.#cache.get(binding.owner)?.current;
    const budget = cached?.take() === true ? cached : await this.#acquire(binding.owner);
    return sealRecord(budget.keys, budget.version, binding, plaintext);
  }

  async decrypt(binding: RecordBinding, sealed: Buffer): Promise<Buffer> {
    checkBinding(binding);
    const parts = parseSealed(sealed);
    const keys =
      this.#cache.get(binding.owner)?.versions.get(parts.dataKeyVersion) ??
      (await this.#loadVersion(binding.owner, parts.dataKeyVersion));
    return openRecord(keys, binding, parts);
  }

  async ensureOwnerKey(owner: string): Promise<void> {
    checkText(owner, 'owner');
    if (this.#cache.get(owner)?.current === undefined) await this.#loadCurrent(owner);
  }

  /** Drops cached keys of one owner, or of all. Required after destroying an owner's key. */
  forget(owner?: string): void {
    this.#epoch += 1;
    if (owner === undefined) {
      this.#cache.clear();
      this.#inflight.clear();
      return;
    }
    this.#cache.delete(owner);
    for (const key of this.#inflight.keys()) {
      if (key.endsWith(`\0${owner}`)) this.#inflight.delete(key);
    }
  }

  async #acquire(owner: string): Promise<KeyBudget> {
    let budget = this.#cache.get(owner)?.current ?? (await this.#loadCurrent(owner));
    for (;;) {
      if (budget.take()) return budget;
      if (!(await budget.refill())) budget = await this.#rotate(owner, budget);
    }
  }

  #loadCurrent(owner: string): Promise<KeyBudget> {
    return this.#shared(`current\0${owner}`, async () => {
      const epoch = this.#epoch;
      let rec = await this.#repo.findCurrent(owner);
      if (rec === undefined) {
        const keys = await createDataKey(this.#provider, this.#repo, owner, 1);
        if (keys !== undefined) return this.#remember(owner, 1, keys, 0, epoch);
        rec = await this.#repo.findCurrent(owner); // another process created it first
        if (rec === undefined) throw new KeyUnavailableError('data key could not be created');
      }
      const keys = await unwrapDataKey(this.#provider, owner, rec.version, rec);
      return this.#remember(owner, rec.version, keys, rec.reserved, epoch);
    });
  }

  #rotate(owner: string, exhausted: KeyBudget): Promise<KeyBudget> {
    const current = this.#cache.get(owner)?.current;
    if (current !== undefined && current !== exhausted) return Promise.resolve(current);
    return this.#shared(`rotate\0${owner}`, async () => {
      const epoch = this.#epoch;
      const version = exhausted.version + 1;
      if (version > MAX_DATA_KEY_VERSION)
        throw new KeyUnavailableError('data key versions exhausted');
      const keys = await createDataKey(this.#provider, this.#repo, owner, version);
      if (keys !== undefined) return this.#remember(owner, version, keys, 0, epoch);
      // Another process rotated first: adopt whatever is now current (its budget is shared).
      const rec = await this.#repo.findCurrent(owner);
      if (rec === undefined || rec.version < version) {
        throw new KeyUnavailableError('data key rotation failed');
      }
      const adopted = await unwrapDataKey(this.#provider, owner, rec.version, rec);
      return this.#remember(owner, rec.version, adopted, rec.reserved, epoch);
    });
  }

  #loadVersion(owner: string, version: number): Promise<RecordKeys> {
    return this.#shared(`v\0${version}\0${owner}`, async () => {
      const epoch = this.#epoch;
      const rec = await this.#repo.find(owner, version);
      // No such key for this owner: the header was altered or the ciphertext belongs elsewhere.
      if (rec === undefined) throw new IntegrityError();
      const keys = await unwrapDataKey(this.#provider, owner, version, rec);
      if (epoch === this.#epoch) this.#entry(owner).versions.set(version, keys);
      return keys;
    });
  }

  // Caches a loaded or created key as the owner's current one, unless a newer one is cached.
  #remember(
    owner: string,
    version: number,
    keys: RecordKeys,
    reserved: number,
    epoch: number,
  ): KeyBudget {
    const budget = new KeyBudget({
      owner,
      version,
      keys,
      reserved,
      max: this.#max,
      block: this.#block,
      repo: this.#repo,
    });
    if (epoch !== this.#epoch) return budget;
    const entry = this.#entry(owner);
    entry.versions.set(version, keys);
    if (entry.current === undefined || entry.current.version < version) entry.current = budget;
    return entry.current;
  }

  #entry(owner: string): OwnerKeys {
    let entry = this.#cache.get(owner);
    if (entry === undefined) {
      entry = { versions: new Map(), current: undefined };
      this.#cache.set(owner, entry);
    }
    return entry;
  }

  #shared<T>(key: string, run: () => Promise<T>): Promise<T> {
    const existing = this.#inflight.get(key);
    if (existing !== undefined) return existing as Promise<T>;
    const promise = run().finally(() => {
      if (this.#inflight.get(key) === promise) this.#inflight.delete(key);
    });
    this.#inflight.set(key, promise);
    return promise;
  }
}
