import type { Kysely } from 'kysely';
import type { HavenDatabase } from './schema.js';

type Db = Kysely<HavenDatabase>;

export interface IncidentRow {
  id: string;
  discoveredAt: string;
  /** The incident as PHI-free JSON text (src/compliance/breach owns its shape). */
  record: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * Security incidents (migration 0011). Updates are compare-and-set on `version`, so two privacy
 * officers saving the same incident at once cannot silently overwrite each other.
 */
export class IncidentRepository {
  constructor(private readonly db: Db) {}

  /** Inserts inside the caller's transaction (the audit transaction, with its entry). */
  async insertIn(trx: Db, row: Omit<IncidentRow, 'version' | 'updatedAt'>): Promise<void> {
    await trx
      .insertInto('incidents')
      .values({
        id: row.id,
        discovered_at: row.discoveredAt,
        record: row.record,
        version: 1,
        created_at: row.createdAt,
        updated_at: row.createdAt,
      })
      .execute();
  }

  /** Replaces the record if it is still at `expected`; false when someone else saved first. */
  async updateIn(
    trx: Db,
    id: string,
    expected: number,
    record: string,
    at: string,
  ): Promise<boolean> {
    const r = await trx
      .updateTable('incidents')
      .set({ record, version: expected + 1, updated_at: at })
      .where('id', '=', id)
      .where('version', '=', expected)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async get(id: string): Promise<IncidentRow | undefined> {
    const r = await this.db
      .selectFrom('incidents')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toRow(r);
  }

  async list(): Promise<IncidentRow[]> {
    const rows = await this.db
      .selectFrom('incidents')
      .selectAll()
      .orderBy('discovered_at', 'desc')
      .execute();
    return rows.map(toRow);
  }
}

function toRow(r: HavenDatabase['incidents']): IncidentRow {
  return {
    id: r.id,
    discoveredAt: r.discovered_at,
    record: r.record,
    version: Number(r.version),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
