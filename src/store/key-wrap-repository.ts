import { sql, type Kysely } from 'kysely';
import { writeTransaction, type Engine } from './engine.js';
import type { HavenDatabase } from './schema.js';

/**
 * One stored wrap: a data key (owner, version) or a system key (purpose; version 0). The shape
 * matches the crypto module's rotation port structurally; store does not import crypto.
 */
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

type Db = Kysely<HavenDatabase>;

/**
 * Every wrapped key, seen by the KEK that wraps it: what `haven keys status` counts and what a
 * rotation re-wraps. Destroyed data keys are left alone (never unwrapped again, by design).
 */
export class KeyWrapRepository {
  constructor(
    private readonly db: Db,
    private readonly writeDb: Db,
    private readonly engine: Engine,
  ) {}

  async countByKek(): Promise<KekUse[]> {
    const data = await this.db
      .selectFrom('data_keys')
      .select(['kek_id', sql<number>`count(*)`.as('n')])
      .where('destroyed', '=', 0)
      .groupBy('kek_id')
      .execute();
    const system = await this.db
      .selectFrom('system_keys')
      .select(['kek_id', sql<number>`count(*)`.as('n')])
      .groupBy('kek_id')
      .execute();
    const uses = new Map<string, KekUse>();
    const use = (kekId: string): KekUse => {
      const found = uses.get(kekId) ?? { kekId, dataKeys: 0, systemKeys: 0 };
      uses.set(kekId, found);
      return found;
    };
    for (const r of data) use(r.kek_id).dataKeys = Number(r.n);
    for (const r of system) use(r.kek_id).systemKeys = Number(r.n);
    return [...uses.values()].sort((a, b) => a.kekId.localeCompare(b.kekId));
  }

  /** Up to `limit` wraps not under `kekId`, system keys first. */
  async notUnder(kekId: string, limit: number): Promise<StoredWrap[]> {
    const system = await this.db
      .selectFrom('system_keys')
      .select(['purpose', 'kek_id', 'wrapped'])
      .where('kek_id', '<>', kekId)
      .orderBy('purpose')
      .limit(limit)
      .execute();
    const out: StoredWrap[] = system.map((r) => ({
      table: 'system',
      owner: r.purpose,
      version: 0,
      kekId: r.kek_id,
      wrapped: r.wrapped,
    }));
    if (out.length >= limit) return out;
    const data = await this.db
      .selectFrom('data_keys')
      .select(['owner', 'version', 'kek_id', 'wrapped'])
      .where('kek_id', '<>', kekId)
      .where('destroyed', '=', 0)
      .orderBy('owner')
      .orderBy('version')
      .limit(limit - out.length)
      .execute();
    for (const r of data) {
      out.push({
        table: 'data',
        owner: r.owner,
        version: r.version,
        kekId: r.kek_id,
        wrapped: r.wrapped,
      });
    }
    return out;
  }

  /**
   * Replaces a batch of wraps in one transaction. Each row changes only if it still holds the
   * wrap that was read (compare and swap), so a key destroyed or re-wrapped meanwhile by
   * another process is not overwritten; that row comes back in the next batch if it still needs
   * it. Returns how many rows changed.
   */
  async replace(changes: { from: StoredWrap; kekId: string; wrapped: Buffer }[]): Promise<number> {
    if (changes.length === 0) return 0;
    return writeTransaction(this.writeDb, this.engine, async (trx) => {
      let changed = 0;
      for (const { from, kekId, wrapped } of changes) {
        const r =
          from.table === 'system'
            ? await trx
                .updateTable('system_keys')
                .set({ kek_id: kekId, wrapped })
                .where('purpose', '=', from.owner)
                .where('kek_id', '=', from.kekId)
                .where('wrapped', '=', from.wrapped)
                .executeTakeFirst()
            : await trx
                .updateTable('data_keys')
                .set({ kek_id: kekId, wrapped })
                .where('owner', '=', from.owner)
                .where('version', '=', from.version)
                .where('kek_id', '=', from.kekId)
                .where('wrapped', '=', from.wrapped)
                .where('destroyed', '=', 0)
                .executeTakeFirst();
        changed += Number(r.numUpdatedRows);
      }
      return changed;
    });
  }
}
