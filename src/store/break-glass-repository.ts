import type { Kysely } from 'kysely';
import type { HavenDatabase } from './schema.js';

type Db = Kysely<HavenDatabase>;

export interface BreakGlassRow {
  id: string;
  userId: string;
  patient: string;
  reasonSealed: Buffer;
  createdAt: string;
  expiresAt: string;
  endedAt: string | null;
  endedBy: string | null;
}

/**
 * Emergency access grants. Expiry is a fixed column written once: nothing here can move it, so
 * a grant cannot be extended, only ended early. Times are ISO-8601 UTC, so text order is time order.
 */
export class BreakGlassRepository {
  constructor(private readonly db: Db) {}

  /** Inserts a new grant inside the caller's transaction (with its audit entry). */
  static async insertIn(trx: Db, row: Omit<BreakGlassRow, 'endedAt' | 'endedBy'>): Promise<void> {
    await trx
      .insertInto('break_glass_grants')
      .values({
        id: row.id,
        user_id: row.userId,
        patient: row.patient,
        reason_sealed: row.reasonSealed,
        created_at: row.createdAt,
        expires_at: row.expiresAt,
        ended_at: null,
        ended_by: null,
      })
      .execute();
  }

  async get(id: string): Promise<BreakGlassRow | undefined> {
    const r = await this.db
      .selectFrom('break_glass_grants')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toRow(r);
  }

  /** Grants in force at `now`, optionally for one user, newest first. */
  async active(now: string, userId?: string): Promise<BreakGlassRow[]> {
    let q = this.db
      .selectFrom('break_glass_grants')
      .selectAll()
      .where('expires_at', '>', now)
      .where('ended_at', 'is', null);
    if (userId !== undefined) q = q.where('user_id', '=', userId);
    const rows = await q.orderBy('created_at', 'desc').execute();
    return rows.map(toRow);
  }

  /** Ends a grant early; false if it had already ended or expired. */
  async end(id: string, by: string, at: string): Promise<boolean> {
    const r = await this.db
      .updateTable('break_glass_grants')
      .set({ ended_at: at, ended_by: by })
      .where('id', '=', id)
      .where('ended_at', 'is', null)
      .where('expires_at', '>', at)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}

function toRow(r: HavenDatabase['break_glass_grants']): BreakGlassRow {
  return {
    id: r.id,
    userId: r.user_id,
    patient: r.patient,
    reasonSealed: Buffer.from(r.reason_sealed),
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    endedAt: r.ended_at,
    endedBy: r.ended_by,
  };
}
