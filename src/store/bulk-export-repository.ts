import type { Kysely } from 'kysely';
import type { HavenDatabase } from './schema.js';

type Db = Kysely<HavenDatabase>;

export interface BulkExportRow {
  id: string;
  /** Who started it (src/bulk decides the form: principal and app); only they may see it. */
  caller: string;
  status: string;
  /** PHI-free JSON text; src/bulk owns its shape. */
  record: string;
  version: number;
  createdAt: string;
  expiresAt: string;
}

/**
 * Bulk Data export jobs (migration 0014). Every change is a compare-and-set on `version`, so a
 * cancel and the job's own completion cannot both win, and two servers never both finish a job.
 */
export class BulkExportRepository {
  constructor(private readonly db: Db) {}

  async insert(row: Omit<BulkExportRow, 'version'>): Promise<void> {
    await this.db
      .insertInto('bulk_exports')
      .values({
        id: row.id,
        caller: row.caller,
        status: row.status,
        record: row.record,
        version: 1,
        created_at: row.createdAt,
        expires_at: row.expiresAt,
      })
      .execute();
  }

  /** Inserts unless the caller already has `limit` jobs in `status`; false when refused. */
  async insertWithinLimit(
    row: Omit<BulkExportRow, 'version'>,
    status: string,
    limit: number,
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const n = await trx
        .selectFrom('bulk_exports')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('caller', '=', row.caller)
        .where('status', '=', status)
        .executeTakeFirstOrThrow();
      if (Number(n.n) >= limit) return false;
      await new BulkExportRepository(trx).insert(row);
      return true;
    });
  }

  /** Replaces status, record and expiry if the row is still at `expected`. */
  async update(
    id: string,
    expected: number,
    change: { status: string; record: string; expiresAt: string },
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('bulk_exports')
      .set({
        status: change.status,
        record: change.record,
        expires_at: change.expiresAt,
        version: expected + 1,
      })
      .where('id', '=', id)
      .where('version', '=', expected)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async get(id: string): Promise<BulkExportRow | undefined> {
    const r = await this.db
      .selectFrom('bulk_exports')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toRow(r);
  }

  async withStatus(status: string): Promise<BulkExportRow[]> {
    const rows = await this.db
      .selectFrom('bulk_exports')
      .selectAll()
      .where('status', '=', status)
      .execute();
    return rows.map(toRow);
  }

  /** Jobs whose expiry has passed (any state), oldest first. */
  async expired(now: string, limit = 500): Promise<BulkExportRow[]> {
    const rows = await this.db
      .selectFrom('bulk_exports')
      .selectAll()
      .where('expires_at', '<=', now)
      .orderBy('expires_at')
      .limit(limit)
      .execute();
    return rows.map(toRow);
  }

  async remove(id: string): Promise<void> {
    await this.db.deleteFrom('bulk_exports').where('id', '=', id).execute();
  }
}

function toRow(r: HavenDatabase['bulk_exports']): BulkExportRow {
  return {
    id: r.id,
    caller: r.caller,
    status: r.status,
    record: r.record,
    version: Number(r.version),
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  };
}
