import type { Kysely } from 'kysely';
import { grantAad, type RelationCipher } from './relation-cipher.js';
import type { HavenDatabase } from './schema.js';

type Db = Kysely<HavenDatabase>;

export interface BreakGlassRow {
  id: string;
  userId: string;
  /** `Patient/<id>`: stored only as a blind-index key and sealed, never in plaintext. */
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
 * Which patient a grant is for is PHI (who was treated): the row holds its key and a sealed id.
 */
export class BreakGlassRepository {
  constructor(
    private readonly db: Db,
    private readonly cipher: RelationCipher,
  ) {}

  /** Inserts a new grant inside the caller's transaction (with its audit entry). */
  async insertIn(trx: Db, row: Omit<BreakGlassRow, 'endedAt' | 'endedBy'>): Promise<void> {
    await trx
      .insertInto('break_glass_grants')
      .values({
        id: row.id,
        user_id: row.userId,
        ...this.patientColumns(row.id, row.patient),
        reason_sealed: row.reasonSealed,
        created_at: row.createdAt,
        expires_at: row.expiresAt,
        ended_at: null,
        ended_by: null,
      })
      .execute();
  }

  /** The key and sealed id of a grant's patient (also used to convert 0003 rows). */
  patientColumns(id: string, patient: string): { patient_key: Buffer; patient_sealed: Buffer } {
    const patientKey = this.cipher.key('patient', patient);
    return {
      patient_key: patientKey,
      patient_sealed: this.cipher.seal(patient, grantAad(id, patientKey)),
    };
  }

  async get(id: string): Promise<BreakGlassRow | undefined> {
    const r = await this.db
      .selectFrom('break_glass_grants')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && this.toRow(r);
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
    return rows.map((r) => this.toRow(r));
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

  private toRow(r: HavenDatabase['break_glass_grants']): BreakGlassRow {
    const patientKey = Buffer.from(r.patient_key);
    return {
      id: r.id,
      userId: r.user_id,
      patient: this.cipher.open(Buffer.from(r.patient_sealed), grantAad(r.id, patientKey)),
      reasonSealed: Buffer.from(r.reason_sealed),
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      endedAt: r.ended_at,
      endedBy: r.ended_by,
    };
  }
}
