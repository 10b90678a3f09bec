import { sql, type Kysely } from 'kysely';
import type { AlertTable, HavenDatabase } from './schema.js';

export interface AlertRow {
  id: string;
  rule: string;
  severity: string;
  userId: string | null;
  patientId: string | null;
  ref: string | null;
  firstSeen: string;
  lastSeen: string;
  count: number;
  status: 'open' | 'acknowledged';
  ackBy: string | null;
  ackAt: string | null;
  ackComment: string | null;
}

export interface NewAlert {
  id: string;
  dedupKey: string;
  rule: string;
  severity: string;
  userId: string | null;
  patientId: string | null;
  ref: string | null;
  at: string;
  /**
   * Sightings this record stands for (default 1): the engine folds repeated sightings of one
   * alert into one write. `at` is the first of them, `lastAt` (default `at`) the last.
   */
  sightings?: number;
  lastAt?: string;
}

export interface AlertFilter {
  status?: 'open' | 'acknowledged' | undefined;
  rule?: string | undefined;
  userId?: string | undefined;
  patientId?: string | undefined;
  /** last_seen at or after this instant. */
  since?: string | undefined;
  limit: number;
}

/** Security alerts (migration 0010). Only ids and times; see src/alerts for what raises them. */
export class AlertRepository {
  constructor(private readonly db: Kysely<HavenDatabase>) {}

  /**
   * Inserts the alert, or (same dedup key: same rule, subject and window) counts one more
   * sighting on the existing row, in one statement, so parallel sightings make one row.
   * `created` is true only for the caller whose insert made the row.
   */
  record(a: NewAlert): Promise<{ row: AlertRow; created: boolean }> {
    return AlertRepository.recordIn(this.db, a);
  }

  /**
   * `record` inside the caller's transaction: the alert engine stores through the audit trail's
   * group commit, so an alert shares the commit of the batch in flight instead of paying a
   * transaction of its own (on SQLite, a commit that blocks the event loop's thread).
   */
  static async recordIn(
    db: Kysely<HavenDatabase>,
    a: NewAlert,
  ): Promise<{ row: AlertRow; created: boolean }> {
    const row = await db
      .insertInto('alerts')
      .values({
        id: a.id,
        dedup_key: a.dedupKey,
        rule: a.rule,
        severity: a.severity,
        user_id: a.userId,
        patient_id: a.patientId,
        ref: a.ref,
        first_seen: a.at,
        last_seen: a.lastAt ?? a.at,
        count: a.sightings ?? 1,
        status: 'open',
        ack_by: null,
        ack_at: null,
        ack_comment: null,
      })
      .onConflict((oc) =>
        oc.column('dedup_key').doUpdateSet({
          count: sql<number>`alerts.count + excluded.count`,
          last_seen: sql<string>`CASE WHEN alerts.last_seen > excluded.last_seen THEN alerts.last_seen ELSE excluded.last_seen END`,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return { row: toRow(row), created: row.id === a.id };
  }

  async find(id: string): Promise<AlertRow | undefined> {
    const row = await this.db
      .selectFrom('alerts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRow(row);
  }

  /** Newest sighting first. */
  async list(f: AlertFilter): Promise<AlertRow[]> {
    let q = this.db.selectFrom('alerts').selectAll();
    if (f.status) q = q.where('status', '=', f.status);
    if (f.rule) q = q.where('rule', '=', f.rule);
    if (f.userId) q = q.where('user_id', '=', f.userId);
    if (f.patientId) q = q.where('patient_id', '=', f.patientId);
    if (f.since) q = q.where('last_seen', '>=', f.since);
    const rows = await q.orderBy('last_seen', 'desc').orderBy('id').limit(f.limit).execute();
    return rows.map(toRow);
  }

  /** Acknowledges an open alert; false when it is unknown or someone acknowledged it first. */
  async acknowledge(id: string, by: string, at: string, comment: string): Promise<boolean> {
    const r = await this.db
      .updateTable('alerts')
      .set({ status: 'acknowledged', ack_by: by, ack_at: at, ack_comment: comment })
      .where('id', '=', id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}

function toRow(r: AlertTable): AlertRow {
  return {
    id: r.id,
    rule: r.rule,
    severity: r.severity,
    userId: r.user_id,
    patientId: r.patient_id,
    ref: r.ref,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    count: Number(r.count),
    status: r.status === 'acknowledged' ? 'acknowledged' : 'open',
    ackBy: r.ack_by,
    ackAt: r.ack_at,
    ackComment: r.ack_comment,
  };
}
