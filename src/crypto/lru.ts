/** When an entry stops being served; optional, with the installation's injected clock. */
export interface LruExpiry {
  ttlMs: number;
  clock: () => Date;
}

/**
 * Least-recently-used map on top of Map's insertion order: a hit moves the entry to the end,
 * an insert beyond capacity drops the first. O(1) per operation, no timers.
 *
 * With an expiry, an entry is served for at most `ttlMs` after it was set (reads do not extend
 * it): derived keys leave memory within a bounded time even for an owner read constantly.
 * Expired entries are dropped when next looked up, or by `sweep()`.
 */
export class Lru<K, V> {
  readonly #max: number;
  readonly #expiry: LruExpiry | undefined;
  readonly #map = new Map<K, { value: V; expires: number }>();

  constructor(max: number, expiry?: LruExpiry) {
    this.#max = max;
    this.#expiry = expiry;
  }

  get(key: K): V | undefined {
    const entry = this.#map.get(key);
    if (entry === undefined) return undefined;
    this.#map.delete(key);
    if (entry.expires <= this.#now()) return undefined;
    this.#map.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    this.#map.delete(key);
    const expires = this.#expiry ? this.#now() + this.#expiry.ttlMs : Number.POSITIVE_INFINITY;
    this.#map.set(key, { value, expires });
    if (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next();
      if (oldest.done !== true) this.#map.delete(oldest.value);
    }
    this.sweep(2);
  }

  /**
   * Drops expired entries among the `examine` least recently used ones (all by default). Each
   * `set` examines two, so idle entries go without a timer and without an O(n) scan per insert.
   */
  sweep(examine = Number.POSITIVE_INFINITY): void {
    if (this.#expiry === undefined) return;
    const now = this.#now();
    let seen = 0;
    for (const [key, entry] of this.#map) {
      if (seen++ >= examine) return;
      if (entry.expires <= now) this.#map.delete(key);
    }
  }

  delete(key: K): void {
    this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }

  get size(): number {
    return this.#map.size;
  }

  #now(): number {
    return this.#expiry ? this.#expiry.clock().getTime() : 0;
  }
}
