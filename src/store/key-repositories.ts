import { sql, type Kysely } from 'kysely';
import type { HavenDatabase } from './schema.js';

/** Shapes match the vault's repository ports (src/crypto) structurally; store does not import crypto. */
export interface DataKeyRow {
  owner: string;
  version: number;
  kekId: string;
  wrapped: Buffer;
  reserved: number;
  destroyed: boolean;
}

type Db = Kysely<HavenDatabase>;
/** The installation's injected clock; the system clock only where none is given. */
type Clock = () => Date;
const systemClock: Clock = () => new Date();

/** Wrapped per-owner data keys. Only wrapped keys ever reach the database. */
export class DataKeyRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock = systemClock,
  ) {}

  async findCurrent(owner: string): Promise<DataKeyRow | undefined> {
    const row = await this.db
      .selectFrom('data_keys')
      .selectAll()
      .where('owner', '=', owner)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toRow(row);
  }

  async find(owner: string, version: number): Promise<DataKeyRow | undefined> {
    const row = await this.db
      .selectFrom('data_keys')
      .selectAll()
      .where('owner', '=', owner)
      .where('version', '=', version)
      .executeTakeFirst();
    return row && toRow(row);
  }

  async insert(rec: {
    owner: string;
    version: number;
    kekId: string;
    wrapped: Buffer;
  }): Promise<boolean> {
    const r = await this.db
      .insertInto('data_keys')
      .values({
        owner: rec.owner,
        version: rec.version,
        kek_id: rec.kekId,
        wrapped: rec.wrapped,
        reserved: 0,
        destroyed: 0,
        created_at: this.clock().toISOString(),
      })
      .onConflict((c) => c.doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async reserve(owner: string, version: number, count: number): Promise<number> {
    const row = await this.db
      .updateTable('data_keys')
      .set({ reserved: sql`reserved + ${count}` })
      .where('owner', '=', owner)
      .where('version', '=', version)
      .returning('reserved')
      .executeTakeFirstOrThrow();
    return Number(row.reserved);
  }
}

/** Wrapped installation-wide keys (blind-index key, audit signing seed, cursor key). */
export class SystemKeyRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Whether any key was ever sealed here, i.e. whether this is not a fresh installation. */
  async any(): Promise<boolean> {
    const row = await this.db
      .selectFrom('system_keys')
      .select('purpose')
      .limit(1)
      .executeTakeFirst();
    const dataKey = await this.db
      .selectFrom('data_keys')
      .select('owner')
      .limit(1)
      .executeTakeFirst();
    return row !== undefined || dataKey !== undefined;
  }

  async get(purpose: string): Promise<{ kekId: string; blob: Buffer } | undefined> {
    const row = await this.db
      .selectFrom('system_keys')
      .selectAll()
      .where('purpose', '=', purpose)
      .executeTakeFirst();
    return row && { kekId: row.kek_id, blob: row.wrapped };
  }

  async insert(purpose: string, w: { kekId: string; blob: Buffer }): Promise<boolean> {
    const r = await this.db
      .insertInto('system_keys')
      .values({ purpose, kek_id: w.kekId, wrapped: w.blob, created_at: this.clock().toISOString() })
      .onConflict((c) => c.doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }
}

function toRow(r: HavenDatabase['data_keys']): DataKeyRow {
  return {
    owner: r.owner,
    version: r.version,
    kekId: r.kek_id,
    wrapped: r.wrapped,
    reserved: Number(r.reserved),
    destroyed: r.destroyed === 1,
  };
}
