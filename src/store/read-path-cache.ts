import type { Kysely } from 'kysely';
import { prepareQuery } from './prepared-query.js';
import type { HavenDatabase } from './schema.js';

/**
 * The read-path caches (issue 19, ADR 0037): sessions, accounts, API tokens and care facts that
 * every authenticated request looks up, kept in memory and checked against one counter row,
 * `cache_epoch`, that database triggers raise with every write that could change them
 * (migration 0016). A cached value is served only if the counter, read after the lookup began,
 * is still what it was when the value was cached; otherwise every cache of the process is
 * emptied and the lookup goes to the table. So a revoked session, an ended care relation or
 * grant, a changed role takes effect on the next request, in every worker and every instance
 * sharing the database, whoever wrote it.
 *
 * Lookups that arrive while no counter read is waiting to start share the next one: a read is
 * started on the next turn of the event loop for all lookups that asked before it, never one
 * that started before a lookup asked (that one could predate the write it must see).
 */
export class EpochWatch {
  readonly #read: () => Promise<{ epoch: number | string | bigint }[]>;
  #next: Promise<number> | undefined;
  /** Counter reads made (for tests and the bench). */
  reads = 0;

  constructor(db: Kysely<HavenDatabase>) {
    this.#read = prepareQuery<[], { epoch: number | string | bigint }>(db, 0, () =>
      db.selectFrom('cache_epoch').select('epoch').where('id', '=', 1),
    );
  }

  /** The counter as read by a query that starts after this call. */
  current(): Promise<number> {
    this.#next ??= new Promise<number>((resolve, reject) => {
      setImmediate(() => {
        // From here on, a new caller needs a new read: this one may already be under way.
        this.#next = undefined;
        this.reads += 1;
        this.#read().then(([row]) => {
          if (row === undefined) reject(new Error('cache_epoch row missing'));
          else resolve(Number(row.epoch));
        }, reject);
      });
    });
    return this.#next;
  }
}

/** One bounded cache whose entries live only as long as the counter they were cached under. */
export class EpochCache<V> {
  #epoch = -1;
  readonly #map = new Map<string, V>();

  constructor(
    private readonly watch: EpochWatch,
    private readonly max = 10_000,
  ) {}

  /**
   * The cached value for `key` if the counter has not moved, else `load()`'s (cached when `keep`
   * says so). A counter read that fails fails the lookup: nothing is served unchecked.
   */
  async get(key: string, load: () => Promise<V>, keep: (v: V) => boolean = () => true): Promise<V> {
    const epoch = await this.watch.current();
    if (epoch > this.#epoch) {
      this.#map.clear();
      this.#epoch = epoch;
    } else if (epoch < this.#epoch) {
      // An older read finished after a newer one: answer from the table, cache nothing.
      return load();
    }
    const hit = this.#map.get(key);
    if (hit !== undefined) return hit;
    const value = await load();
    // Cached only if no newer counter was seen meanwhile (the value may predate that write).
    if (this.#epoch === epoch && value !== undefined && keep(value)) {
      this.#map.set(key, value);
      if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value!);
    }
    return value;
  }

  /** Replaces a cached entry in place (a write this process made that moves no counter). */
  update(key: string, change: (v: V) => V): void {
    const hit = this.#map.get(key);
    if (hit !== undefined) this.#map.set(key, change(hit));
  }

  delete(key: string): void {
    this.#map.delete(key);
  }

  get size(): number {
    return this.#map.size;
  }
}

/** The caches of one process over one database. */
export interface ReadPathCaches {
  watch: EpochWatch;
  sessions: EpochCache<unknown>;
  users: EpochCache<unknown>;
  clients: EpochCache<unknown>;
  facts: EpochCache<unknown>;
}

const byDb = new WeakMap<object, ReadPathCaches>();

/** The process's caches for this database (one set per Kysely instance). */
export function readPathCaches(db: Kysely<HavenDatabase>): ReadPathCaches {
  let c = byDb.get(db);
  if (c === undefined) {
    const watch = new EpochWatch(db);
    c = {
      watch,
      sessions: new EpochCache(watch),
      users: new EpochCache(watch),
      clients: new EpochCache(watch),
      facts: new EpochCache(watch),
    };
    byDb.set(db, c);
  }
  return c;
}
