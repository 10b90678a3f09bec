import { KeyUnavailableError } from './errors.js';
import type { DataKeyRepository } from './data-key-repository.js';
import type { RecordKeys } from './record-keys.js';

export interface KeyBudgetOptions {
  owner: string;
  version: number;
  keys: RecordKeys;
  /** `reserved` as last read from the repository. */
  reserved: number;
  max: number;
  block: number;
  repo: DataKeyRepository;
}

/**
 * The encryption budget of one data-key version in this process.
 *
 * With random 96-bit nonces, SP 800-38D §8.3 caps a key at 2^32 encryptions; the vault stops
 * far below (2^30 by default). Counting every encryption in the database would cost one write
 * per request, so the process reserves blocks: one atomic `reserve` per `block` encryptions,
 * then counts locally. Reservations lost in a crash are simply never used — the count can
 * only overstate, never understate, what a key has encrypted.
 */
export class KeyBudget {
  readonly owner: string;
  readonly version: number;
  readonly keys: RecordKeys;
  readonly #max: number;
  readonly #block: number;
  readonly #repo: DataKeyRepository;
  #known: number;
  #remaining = 0;
  #pending: Promise<boolean> | undefined;

  constructor(opts: KeyBudgetOptions) {
    this.owner = opts.owner;
    this.version = opts.version;
    this.keys = opts.keys;
    this.#known = opts.reserved;
    this.#max = opts.max;
    this.#block = opts.block;
    this.#repo = opts.repo;
  }

  /** Counts one encryption against the local reservation; false when it is empty. */
  take(): boolean {
    if (this.#remaining === 0) return false;
    this.#remaining -= 1;
    return true;
  }

  /**
   * Reserves another block. Resolves false once the key's budget is used up, after which a new
   * data-key version is needed. Concurrent callers share one reservation.
   */
  refill(): Promise<boolean> {
    this.#pending ??= this.#reserve().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #reserve(): Promise<boolean> {
    // Never ask for more than could still be granted: the last block is trimmed to fit.
    const want = Math.min(this.#block, this.#max - this.#known);
    if (want <= 0) return false;
    const total = await this.#repo.reserve(this.owner, this.version, want);
    if (!Number.isSafeInteger(total) || total < want) {
      throw new KeyUnavailableError('data key reservation failed');
    }
    this.#known = Math.max(this.#known, total);
    // This process owns (total - want, total]; only the part at or below max may be used.
    const granted = Math.min(want, this.#max - (total - want));
    if (granted <= 0) return false;
    this.#remaining += granted;
    return true;
  }
}
