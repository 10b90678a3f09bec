import type { Kysely } from 'kysely';
import type { AdminApprovalTable, HavenDatabase } from './schema.js';

export interface ApprovalRow {
  id: string;
  kind: string;
  subjectId: string;
  payloadSealed: Buffer;
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
}

/**
 * Pending account changes (two-person rule). A decision is one conditional UPDATE: of any number
 * of parallel approvals of one request exactly one changes the row, and only that one applies it.
 */
export class ApprovalRepository {
  constructor(private readonly db: Kysely<HavenDatabase>) {}

  async insert(r: ApprovalRow): Promise<void> {
    await this.db
      .insertInto('admin_approvals')
      .values({
        id: r.id,
        kind: r.kind,
        subject_id: r.subjectId,
        payload_sealed: r.payloadSealed,
        requested_by: r.requestedBy,
        requested_at: r.requestedAt,
        expires_at: r.expiresAt,
        decided_by: null,
        decided_at: null,
      })
      .execute();
  }

  async find(id: string): Promise<ApprovalRow | undefined> {
    const row = await this.db
      .selectFrom('admin_approvals')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRow(row);
  }

  /** Undecided requests that have not expired at `now`, oldest first. */
  async listOpen(now: string): Promise<ApprovalRow[]> {
    const rows = await this.db
      .selectFrom('admin_approvals')
      .selectAll()
      .where('decided_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('requested_at')
      .execute();
    return rows.map(toRow);
  }

  /**
   * Records `approver`'s decision if the request is still open at `now` and the approver is
   * neither its requester nor its subject. False when another decision won, or it expired.
   */
  async decide(id: string, approver: string, now: string): Promise<boolean> {
    const r = await this.db
      .updateTable('admin_approvals')
      .set({ decided_by: approver, decided_at: now })
      .where('id', '=', id)
      .where('decided_at', 'is', null)
      .where('expires_at', '>', now)
      .where('requested_by', '<>', approver)
      .where('subject_id', '<>', approver)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}

function toRow(r: AdminApprovalTable): ApprovalRow {
  return {
    id: r.id,
    kind: r.kind,
    subjectId: r.subject_id,
    payloadSealed: Buffer.from(r.payload_sealed),
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    expiresAt: r.expires_at,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
  };
}
