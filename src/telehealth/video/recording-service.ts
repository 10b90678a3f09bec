import { requestDraft, type AuditDraft, type RequestAuditFields } from '../../audit/index.js';
import type { RequestContext } from '../../auth/index.js';
import type { VideoConfig } from '../../config/index.js';
import {
  prepareVersion,
  writePrepared,
  type PreparedVersion,
  type RecordDeps,
} from '../../records/index.js';
import {
  VisitRecordingRepository,
  type RecordingRow,
  type RecordingSide,
} from '../../store/index.js';
import {
  consentBody,
  recordingBinary,
  recordingDocument,
  withdrawnConsent,
} from './recording-resources.js';
import type { Admission, VisitService } from './visit-service.js';

export type RecordingErrorCode =
  | 'recording-off'
  | 'no-consent'
  | 'not-admitted'
  | 'running'
  | 'not-recording'
  | 'out-of-order'
  | 'too-large'
  | 'not-found'
  | 'invalid-chunk';

const STATUS: Record<RecordingErrorCode, number> = {
  'recording-off': 403,
  'no-consent': 409,
  'not-admitted': 409,
  running: 409,
  'not-recording': 409,
  'out-of-order': 409,
  'too-large': 413,
  'not-found': 404,
  'invalid-chunk': 400,
};

/** A recording request refused; a fixed text, never who or what. */
export class RecordingError extends Error {
  readonly status: number;
  constructor(readonly code: RecordingErrorCode) {
    super(`the recording request was refused: ${code}`);
    this.status = STATUS[code];
  }
}

/** The largest chunk one upload may carry (the browser sends a few seconds at a time). */
export const CHUNK_MAX_BYTES = 1024 * 1024;
/** The AAD kind of a sealed chunk: it opens only as chunk `seq` of its own recording. */
const CHUNK_KIND = 'VisitRecordingChunk';
const WEBM = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);

export interface RecordingDeps {
  records: RecordDeps;
  config: VideoConfig;
  clock: () => Date;
  repo: VisitRecordingRepository;
  visits: VisitService;
}

export interface RecordingStatus {
  enabled: boolean;
  consents: { patient: boolean; clinician: boolean };
  /** The recording taking chunks now, if any; `mine` when the asker started it. */
  active: { id: string; nextSeq: number; bytes: number; mine: boolean } | null;
  recordings: {
    id: string;
    documentReference: string | null;
    binary: string | null;
    bytes: number;
  }[];
}

export interface FinishedRecording {
  id: string;
  documentReference: string | null;
  binary: string | null;
}

/**
 * Visit recording (ADR 0034). Possible only when the installation enables it and both sides of
 * an admitted, running visit consent now (each consent a FHIR Consent in the patient's record);
 * either side withdrawing stops it. The browser records and uploads chunks in order; each is
 * sealed under the patient's data key at once. Stopping (or a withdrawal, or hang-up) turns the
 * chunks into one Binary and a DocumentReference, read afterwards like any attachment: the same
 * access policy, and each download audited. The callers (src/http/visit-routes.ts) have already
 * let the person into the room (VisitService.admission).
 */
export class RecordingService {
  constructor(private readonly d: RecordingDeps) {}

  async status(ctx: RequestContext, a: Admission): Promise<RecordingStatus> {
    const [consents, rows] = await Promise.all([
      this.d.repo.consents(a.room),
      this.d.repo.recordings(a.room),
    ]);
    const has = (role: RecordingSide) => consents.some((c) => c.role === role);
    const active = rows.find((r) => r.status === 'recording');
    return {
      enabled: this.d.config.recording,
      consents: { patient: has('patient'), clinician: has('clinician') },
      active: active
        ? {
            id: active.id,
            nextSeq: active.nextSeq,
            bytes: active.bytes,
            mine: active.startedBy === ctx.principal.id,
          }
        : null,
      recordings: rows
        .filter((r) => r.status === 'final')
        .map((r) => ({
          id: r.id,
          documentReference: r.documentId,
          binary: r.binaryId,
          bytes: r.bytes,
        })),
    };
  }

  /** The asker's side consents (a new Consent), or withdraws (the Consent inactive; recording stops). */
  async consent(ctx: RequestContext, a: Admission, given: boolean): Promise<void> {
    if (given) await this.give(ctx, a);
    else await this.withdraw(ctx, a);
    await this.d.visits.store.publish({ room: a.room, kind: 'state' });
  }

  private async give(ctx: RequestContext, a: Admission): Promise<void> {
    if (!this.d.config.recording) throw new RecordingError('recording-off');
    const state = await this.running(a);
    const at = this.d.clock().toISOString();
    const id = this.d.records.newId();
    const p = await prepareVersion(
      this.d.records,
      consentBody({
        patientId: a.facts.patientId,
        appointmentId: a.room,
        encounterId: state.encounterId,
        performer: performerOf(ctx, a),
        at,
      }),
      id,
      1,
      undefined,
    );
    await this.d.records.audit.transact({
      run: async (trx) => {
        if (
          !(await VisitRecordingRepository.giveConsent(trx, {
            room: a.room,
            role: a.role,
            consentId: id,
            at,
          }))
        )
          return false; // consented already: the standing Consent stays
        await writePrepared(trx, p);
        return true;
      },
      onSuccess: (written) =>
        written
          ? [
              this.entry(ctx, a, 'recording-consent', 'success', { consent: id }),
              this.created(ctx, a, p),
            ]
          : [],
      onFailure: () => [this.entry(ctx, a, 'recording-consent', 'failure', {})],
    });
  }

  private async withdraw(ctx: RequestContext, a: Admission): Promise<void> {
    const at = this.d.clock().toISOString();
    const { records } = this.d;
    const standing = (await this.d.repo.consents(a.room)).find((c) => c.role === a.role);
    if (standing === undefined) return; // nothing to withdraw
    // Read and prepared before the transaction (the store is not read inside it); the versioned
    // write refuses it if the Consent changed meanwhile.
    const stored = await records.resources.readCurrent('Consent', standing.consentId);
    if (!stored) throw new RecordingError('not-found');
    const updated = await prepareVersion(
      records,
      withdrawnConsent(await records.sealed.openParsed(stored), at),
      standing.consentId,
      stored.version + 1,
      stored.version,
    );
    const w = await records.audit.transact({
      run: async (trx) => {
        const w = await VisitRecordingRepository.withdrawConsent(trx, a.room, a.role, at);
        // Withdrawn and given again meanwhile: nothing of this is written.
        if (w.consentId !== standing.consentId) throw new RecordingError('no-consent');
        await writePrepared(trx, updated);
        return w;
      },
      onSuccess: (w) =>
        w.consentId === undefined
          ? []
          : [
              this.entry(ctx, a, 'recording-withdraw', 'success', { consent: w.consentId }),
              this.created(ctx, a, updated, 'update'),
              ...w.stopped.map((r) =>
                this.entry(ctx, a, 'recording-stop', 'success', {
                  recording: r,
                  reason: 'consent-withdrawn',
                }),
              ),
            ],
      onFailure: () => [this.entry(ctx, a, 'recording-withdraw', 'failure', {})],
    });
    // What was recorded while both consented is kept, as a finished recording.
    for (const id of w.stopped) await this.finishQuietly(ctx, a, id, 'consent-withdrawn');
  }

  /** Starts a recording: the switch on, the call running, both consents standing, none running. */
  async start(ctx: RequestContext, a: Admission): Promise<{ id: string }> {
    if (!this.d.config.recording) throw new RecordingError('recording-off');
    await this.running(a);
    const id = this.d.records.newId();
    const at = this.d.clock().toISOString();
    const r = await this.d.records.audit.transact({
      run: (trx) =>
        VisitRecordingRepository.start(trx, { id, room: a.room, by: ctx.principal.id, at }),
      onSuccess: (r) => [
        this.entry(
          ctx,
          a,
          'recording-start',
          r === 'started' ? 'success' : 'denied',
          r === 'started' ? { recording: id } : { reason: r },
        ),
      ],
      onFailure: () => [this.entry(ctx, a, 'recording-start', 'failure', {})],
    });
    if (r !== 'started') throw new RecordingError(r);
    await this.d.visits.store.publish({ room: a.room, kind: 'state' });
    return { id };
  }

  /**
   * Chunk `seq` of a recording, from the person who started it. Sealed under the patient's key
   * before it is stored; taken only in order, within the size cap, while both consents stand.
   */
  async chunk(
    ctx: RequestContext,
    a: Admission,
    recordingId: string,
    seq: number,
    data: Buffer,
  ): Promise<{ nextSeq: number }> {
    if (!this.d.config.recording) throw new RecordingError('recording-off');
    if (data.length === 0) throw new RecordingError('invalid-chunk');
    if (data.length > CHUNK_MAX_BYTES) throw new RecordingError('too-large');
    // The first chunk carries the WebM header, so the whole is a WebM file.
    if (seq === 0 && !data.subarray(0, 4).equals(WEBM)) throw new RecordingError('invalid-chunk');
    await this.running(a);
    const body = await this.d.records.sealed.sealPart(
      CHUNK_KIND,
      recordingId,
      seq,
      ownerOf(a),
      data,
    );
    const refused = await this.d.records.audit.transact({
      run: (trx) =>
        VisitRecordingRepository.appendChunk(trx, {
          recordingId,
          room: a.room,
          by: ctx.principal.id,
          seq,
          body,
          size: data.length,
          cap: this.d.config.recordingMaxBytes,
        }),
      onSuccess: () => [],
      onFailure: () => [],
    });
    if (refused) throw new RecordingError(refused);
    return { nextSeq: seq + 1 };
  }

  /** Either side stops the recording; its chunks become the Binary and DocumentReference. */
  async stop(ctx: RequestContext, a: Admission, recordingId: string): Promise<FinishedRecording> {
    const at = this.d.clock().toISOString();
    const stopped = await this.d.records.audit.transact({
      run: (trx) => VisitRecordingRepository.stop(trx, recordingId, a.room, at),
      onSuccess: () => [],
      onFailure: () => [],
    });
    const row = await this.d.repo.recording(recordingId);
    if (!row || row.room !== a.room) throw new RecordingError('not-found');
    const done = await this.finish(ctx, a, row, stopped ? 'stopped' : 'again');
    await this.d.visits.store.publish({ room: a.room, kind: 'state' });
    return done;
  }

  /** The visit ended (hang-up): a running recording stops and is kept. */
  async visitEnded(ctx: RequestContext, a: Admission): Promise<void> {
    const at = this.d.clock().toISOString();
    for (const r of await this.d.repo.recordings(a.room)) {
      if (r.status === 'final') continue;
      if (r.status === 'recording')
        await this.d.records.audit.transact({
          run: (trx) => VisitRecordingRepository.stop(trx, r.id, a.room, at),
          onSuccess: () => [],
          onFailure: () => [],
        });
      await this.finishQuietly(ctx, a, r.id, 'visit-ended');
    }
  }

  private async finishQuietly(
    ctx: RequestContext,
    a: Admission,
    id: string,
    reason: string,
  ): Promise<void> {
    try {
      const row = await this.d.repo.recording(id);
      if (row) await this.finish(ctx, a, row, reason);
    } catch {
      // Left stopped with its chunks sealed; a later stop request finishes it.
    }
  }

  private async finish(
    ctx: RequestContext,
    a: Admission,
    row: RecordingRow,
    reason: string,
  ): Promise<FinishedRecording> {
    if (row.status === 'final')
      return { id: row.id, documentReference: row.documentId, binary: row.binaryId };
    if (row.status !== 'stopped') throw new RecordingError('running');
    const chunks = await this.d.repo.chunks(row.id);
    if (chunks.length !== row.nextSeq || chunks.some((c, i) => c.seq !== i))
      throw new Error('recording chunks are not contiguous');
    // A key that cannot be unwrapped fails here: nothing is assembled (fail closed).
    const parts = await Promise.all(
      chunks.map((c) =>
        this.d.records.sealed.openPart(CHUNK_KIND, row.id, c.seq, ownerOf(a), c.body),
      ),
    );
    const data = Buffer.concat(parts);
    const state = await this.d.visits.state(a.room);
    const consents = await this.d.repo.consents(a.room);
    let written: PreparedVersion[] = [];
    let ids: { binary: string | null; doc: string | null } = { binary: null, doc: null };
    if (data.length > 0) {
      const binaryId = this.d.records.newId();
      const docId = this.d.records.newId();
      const records = {
        ...this.d.records,
        binaryLimitBytes: Math.max(
          this.d.records.binaryLimitBytes,
          this.d.config.recordingMaxBytes,
        ),
      };
      const bin = await prepareVersion(
        records,
        recordingBinary(a.facts.patientId, data),
        binaryId,
        1,
        undefined,
      );
      const doc = await prepareVersion(
        records,
        recordingDocument({
          patientId: a.facts.patientId,
          appointmentId: a.room,
          encounterId: state.encounterId,
          practitionerIds: a.facts.practitionerIds,
          binaryId,
          size: data.length,
          start: row.startedAt,
          end: row.stoppedAt ?? this.d.clock().toISOString(),
          consentIds: consents.map((c) => c.consentId),
        }),
        docId,
        1,
        undefined,
      );
      written = [bin, doc];
      ids = { binary: binaryId, doc: docId };
    }
    const finished = await this.d.records.audit.transact({
      run: async (trx) => {
        if (!(await VisitRecordingRepository.finalize(trx, row.id, ids.binary, ids.doc)))
          return false;
        for (const p of written) await writePrepared(trx, p);
        return true;
      },
      onSuccess: (ok) =>
        ok
          ? [
              this.entry(ctx, a, 'recording-stop', 'success', {
                recording: row.id,
                reason,
                bytes: String(data.length),
                chunks: String(chunks.length),
                ...(ids.doc !== null && { document: ids.doc }),
              }),
              ...written.map((p) => this.created(ctx, a, p)),
            ]
          : [],
      onFailure: () => [
        this.entry(ctx, a, 'recording-stop', 'failure', { recording: row.id, reason }),
      ],
    });
    if (!finished) {
      // Another request finished it first.
      const again = await this.d.repo.recording(row.id);
      return {
        id: row.id,
        documentReference: again?.documentId ?? null,
        binary: again?.binaryId ?? null,
      };
    }
    return { id: row.id, documentReference: ids.doc, binary: ids.binary };
  }

  /** The call must be running: admitted, not ended. */
  private async running(a: Admission) {
    const state = await this.d.visits.state(a.room);
    if (state.admittedAt === undefined || state.endedAt !== undefined)
      throw new RecordingError('not-admitted');
    return state;
  }

  private entry(
    ctx: RequestContext,
    a: Admission,
    action: 'recording-consent' | 'recording-withdraw' | 'recording-start' | 'recording-stop',
    outcome: 'success' | 'denied' | 'failure',
    detail: Record<string, string>,
  ): AuditDraft {
    const fields: RequestAuditFields = {
      action,
      outcome,
      resourceType: 'Appointment',
      resourceId: a.room,
      patientId: a.facts.patientId,
      detail: { role: a.role, ...detail },
    };
    return requestDraft(ctx, fields);
  }

  private created(
    ctx: RequestContext,
    a: Admission,
    p: PreparedVersion,
    action: 'create' | 'update' = 'create',
  ): AuditDraft {
    return requestDraft(ctx, {
      action,
      outcome: 'success',
      resourceType: p.resourceType,
      resourceId: p.id,
      resourceVersion: p.version,
      patientId: a.facts.patientId,
      detail: { recording: true, role: a.role },
    });
  }
}

function ownerOf(a: Admission): string {
  return `Patient/${a.facts.patientId}`;
}

function performerOf(ctx: RequestContext, a: Admission): string {
  return a.role === 'patient'
    ? `Patient/${a.facts.patientId}`
    : `Practitioner/${ctx.principal.practitionerId ?? a.facts.practitionerIds[0]!}`;
}
