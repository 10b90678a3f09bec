import type { Kysely } from 'kysely';
import type { HavenDatabase } from './schema.js';

type Db = Kysely<HavenDatabase>;

export type RecordingSide = 'patient' | 'clinician';

export interface RecordingRow {
  id: string;
  room: string;
  status: 'recording' | 'stopped' | 'final';
  nextSeq: number;
  bytes: number;
  startedBy: string;
  startedAt: string;
  stoppedAt: string | null;
  binaryId: string | null;
  documentId: string | null;
}

export interface ConsentRow {
  role: RecordingSide;
  consentId: string;
  givenAt: string;
}

/** Why a chunk was not taken (the row is read again after the guarded update missed). */
export type ChunkRefusal =
  'not-found' | 'not-recording' | 'no-consent' | 'out-of-order' | 'too-large';

/**
 * Visit recordings (migration 0012, ADR 0034): the consent gate, each recording's state and
 * its sealed chunks. Writes take the caller's audited transaction. Every write that can race
 * is a guarded update on one row (status, next sequence number, byte count), so two servers or
 * two parallel uploads cannot both take sequence number n, and a withdrawal that committed
 * first leaves no chunk behind it.
 */
export class VisitRecordingRepository {
  constructor(private readonly db: Db) {}

  async consents(room: string): Promise<ConsentRow[]> {
    const rows = await this.db
      .selectFrom('visit_recording_consents')
      .selectAll()
      .where('room', '=', room)
      .execute();
    return rows.map((r) => ({
      role: r.role as RecordingSide,
      consentId: r.consent_id,
      givenAt: r.given_at,
    }));
  }

  async recordings(room: string): Promise<RecordingRow[]> {
    const rows = await this.db
      .selectFrom('visit_recordings')
      .selectAll()
      .where('room', '=', room)
      .orderBy('started_at')
      .orderBy('id')
      .execute();
    return rows.map(toRow);
  }

  async recording(id: string): Promise<RecordingRow | undefined> {
    const r = await this.db
      .selectFrom('visit_recordings')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? toRow(r) : undefined;
  }

  async chunks(recordingId: string): Promise<{ seq: number; body: Buffer }[]> {
    const rows = await this.db
      .selectFrom('visit_recording_chunks')
      .select(['seq', 'body'])
      .where('recording_id', '=', recordingId)
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({ seq: Number(r.seq), body: Buffer.from(r.body) }));
  }

  /** A side's consent (replacing an earlier one of the same side). False if one stands already. */
  static async giveConsent(
    trx: Db,
    c: { room: string; role: RecordingSide; consentId: string; at: string },
  ): Promise<boolean> {
    const existing = await trx
      .selectFrom('visit_recording_consents')
      .select('consent_id')
      .where('room', '=', c.room)
      .where('role', '=', c.role)
      .executeTakeFirst();
    if (existing) return false;
    await trx
      .insertInto('visit_recording_consents')
      .values({ room: c.room, role: c.role, consent_id: c.consentId, given_at: c.at })
      .execute();
    return true;
  }

  /**
   * A side withdraws: its consent row goes and every recording of the room that is still taking
   * chunks stops, in the same transaction. Returns the withdrawn Consent's id and the stopped
   * recordings.
   */
  static async withdrawConsent(
    trx: Db,
    room: string,
    role: RecordingSide,
    at: string,
  ): Promise<{ consentId: string | undefined; stopped: string[] }> {
    const row = await trx
      .selectFrom('visit_recording_consents')
      .select('consent_id')
      .where('room', '=', room)
      .where('role', '=', role)
      .executeTakeFirst();
    if (!row) return { consentId: undefined, stopped: [] };
    await trx
      .deleteFrom('visit_recording_consents')
      .where('room', '=', room)
      .where('role', '=', role)
      .execute();
    const stopped = await trx
      .selectFrom('visit_recordings')
      .select('id')
      .where('room', '=', room)
      .where('status', '=', 'recording')
      .execute();
    await trx
      .updateTable('visit_recordings')
      .set({ status: 'stopped', stopped_at: at })
      .where('room', '=', room)
      .where('status', '=', 'recording')
      .execute();
    return { consentId: row.consent_id, stopped: stopped.map((r) => r.id) };
  }

  /**
   * Starts a recording if both sides consent now and none is running. The consent rows are
   * locked first (a no-op update), so two starts at once on PostgreSQL queue behind each other
   * and the second sees the first one's recording.
   */
  static async start(
    trx: Db,
    r: { id: string; room: string; by: string; at: string },
  ): Promise<'started' | 'no-consent' | 'running'> {
    const locked = await trx
      .updateTable('visit_recording_consents')
      .set((eb) => ({ given_at: eb.ref('given_at') }))
      .where('room', '=', r.room)
      .executeTakeFirst();
    if (Number(locked.numUpdatedRows) !== 2) return 'no-consent';
    const running = await trx
      .selectFrom('visit_recordings')
      .select('id')
      .where('room', '=', r.room)
      .where('status', '=', 'recording')
      .executeTakeFirst();
    if (running) return 'running';
    await trx
      .insertInto('visit_recordings')
      .values({
        id: r.id,
        room: r.room,
        status: 'recording',
        next_seq: 0,
        bytes: 0,
        started_by: r.by,
        started_at: r.at,
        stopped_at: null,
        binary_id: null,
        document_id: null,
      })
      .execute();
    return 'started';
  }

  /**
   * Takes chunk `seq` of a recording of `room` from the person who started it: only while it is
   * recording, both consents stand, `seq` is the next number and the total stays under `cap`.
   */
  static async appendChunk(
    trx: Db,
    c: {
      recordingId: string;
      room: string;
      by: string;
      seq: number;
      body: Buffer;
      size: number;
      cap: number;
    },
  ): Promise<ChunkRefusal | undefined> {
    const consents = await trx
      .selectFrom('visit_recording_consents')
      .select('role')
      .where('room', '=', c.room)
      .execute();
    if (consents.length !== 2) return 'no-consent';
    const taken = await trx
      .updateTable('visit_recordings')
      .set((eb) => ({
        next_seq: eb('next_seq', '+', 1),
        bytes: eb('bytes', '+', c.size),
      }))
      .where('id', '=', c.recordingId)
      .where('room', '=', c.room)
      .where('started_by', '=', c.by)
      .where('status', '=', 'recording')
      .where('next_seq', '=', c.seq)
      .where((eb) => eb(eb('bytes', '+', c.size), '<=', c.cap))
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) !== 1) {
      const r = await trx
        .selectFrom('visit_recordings')
        .selectAll()
        .where('id', '=', c.recordingId)
        .executeTakeFirst();
      if (!r || r.room !== c.room || r.started_by !== c.by) return 'not-found';
      if (r.status !== 'recording') return 'not-recording';
      if (Number(r.next_seq) !== c.seq) return 'out-of-order';
      return 'too-large';
    }
    await trx
      .insertInto('visit_recording_chunks')
      .values({ recording_id: c.recordingId, seq: c.seq, body: c.body })
      .execute();
    return undefined;
  }

  /** No more chunks. True if this call stopped it (false: stopped already, or not found). */
  static async stop(trx: Db, id: string, room: string, at: string): Promise<boolean> {
    const r = await trx
      .updateTable('visit_recordings')
      .set({ status: 'stopped', stopped_at: at })
      .where('id', '=', id)
      .where('room', '=', room)
      .where('status', '=', 'recording')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** The recording became a Binary and a DocumentReference (none if empty): its chunks go. */
  static async finalize(
    trx: Db,
    id: string,
    binaryId: string | null,
    documentId: string | null,
  ): Promise<boolean> {
    const r = await trx
      .updateTable('visit_recordings')
      .set({ status: 'final', binary_id: binaryId, document_id: documentId })
      .where('id', '=', id)
      .where('status', '=', 'stopped')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await trx.deleteFrom('visit_recording_chunks').where('recording_id', '=', id).execute();
    return true;
  }
}

function toRow(r: HavenDatabase['visit_recordings']): RecordingRow {
  return {
    id: r.id,
    room: r.room,
    status: r.status as RecordingRow['status'],
    nextSeq: Number(r.next_seq),
    bytes: Number(r.bytes),
    startedBy: r.started_by,
    startedAt: r.started_at,
    stoppedAt: r.stopped_at,
    binaryId: r.binary_id,
    documentId: r.document_id,
  };
}
