import type { AuditDraft } from '../audit/index.js';
import type { RequestContext } from '../auth/index.js';
import { exportResources, FhirError, type RecordDeps } from '../records/index.js';
import { isStoreUnavailable, type BulkExportRepository } from '../store/index.js';
import { draftOf } from './draft.js';
import { parseRecord, type ExportFile, type ExportRecord } from './export-record.js';
import { writeSealedFile } from './sealed-file.js';

export type RunOutcome =
  | { kind: 'complete' }
  | { kind: 'cancelled' }
  /** The row went (cancelled by another server) or changed under the job: nothing to record. */
  | { kind: 'gone' }
  | { kind: 'failed'; error: string };

export interface RunOptions {
  records: RecordDeps;
  repo: BulkExportRepository;
  dir: string;
  clock: () => Date;
  ttlMs: number;
  maxFileBytes: number;
  audit: (drafts: AuditDraft[]) => Promise<void>;
  /** Called before each progress write; tests hold a job there to act mid-export. */
  pace: (progress: number) => Promise<void>;
}

/** Resources between two progress writes (the heartbeat that tells a live job from a dead one). */
const BEAT_EVERY = 200;

/**
 * Runs one export: every record the caller may read, as NDJSON per type, each file sealed as it
 * fills; then the audit entries (one `export` per patient it contained, and the job's summary);
 * then, and only then, the manifest (state `complete`). Any failure leaves no manifest.
 */
export async function runExport(
  o: RunOptions,
  ctx: RequestContext,
  id: string,
  key: Buffer,
  members: string[] | undefined,
  signal: AbortSignal,
): Promise<RunOutcome> {
  try {
    let row = await o.repo.get(id);
    if (!row) return { kind: 'gone' };
    let version = row.version;
    const record: ExportRecord = parseRecord(row.record);
    const files: ExportFile[] = [];
    const perPatient = new Map<string, number>();
    let lines: string[] = [];
    let bytes = 0;
    let current: string | undefined;
    let written = 0;
    const flush = () => {
      if (current === undefined || lines.length === 0) return;
      const n = files.filter((f) => f.type === current).length + 1;
      const name = `${current}-${n}.ndjson`;
      writeSealedFile(o.dir, id, name, key, Buffer.from(lines.join(''), 'utf8'));
      files.push({ type: current, name, count: lines.length });
      lines = [];
      bytes = 0;
    };
    const beat = async (): Promise<RunOutcome | undefined> => {
      await o.pace(written);
      if (signal.aborted)
        return signal.reason === 'closing'
          ? { kind: 'failed', error: 'interrupted' }
          : { kind: 'cancelled' };
      const next = { ...record, progress: written, heartbeat: o.clock().toISOString() };
      const ok = await o.repo.update(id, version, {
        status: 'in-progress',
        record: JSON.stringify(next),
        expiresAt: row!.expiresAt,
      });
      if (!ok) return { kind: 'gone' };
      version += 1;
      return undefined;
    };
    const scope = {
      level: record.level,
      types: record.types,
      since: record.since,
      ...(members !== undefined && { members }),
    };
    for await (const r of exportResources(o.records, ctx, scope, record.types)) {
      if (r.resourceType !== current || bytes >= o.maxFileBytes) {
        flush();
        current = r.resourceType;
      }
      const line = `${JSON.stringify(r.resource)}\n`;
      lines.push(line);
      bytes += Buffer.byteLength(line);
      written += 1;
      if (r.patientId !== undefined)
        perPatient.set(r.patientId, (perPatient.get(r.patientId) ?? 0) + 1);
      if (written % BEAT_EVERY === 0) {
        const stop = await beat();
        if (stop) return stop;
      }
    }
    flush();
    const stop = await beat();
    if (stop) return stop;
    // The disclosure is on record before anyone can fetch it.
    await o.audit([
      ...[...perPatient].map(([patientId, resources]) =>
        draftOf(ctx, {
          action: 'export',
          outcome: 'success',
          resourceType: 'Patient',
          resourceId: patientId,
          patientId,
          detail: { export: id, resources },
        }),
      ),
      draftOf(ctx, {
        action: 'bulk-export',
        outcome: 'success',
        detail: {
          stage: 'complete',
          export: id,
          resources: written,
          patients: perPatient.size,
          files: files.length,
          types: [...new Set(files.map((f) => f.type))],
        },
      }),
    ]);
    row = await o.repo.get(id);
    if (!row || row.version !== version) return { kind: 'gone' };
    const done = await o.repo.update(id, version, {
      status: 'complete',
      record: JSON.stringify({
        ...record,
        progress: written,
        heartbeat: o.clock().toISOString(),
        files,
      }),
      expiresAt: new Date(o.clock().getTime() + o.ttlMs).toISOString(),
    });
    return done ? { kind: 'complete' } : { kind: 'gone' };
  } catch (e) {
    return { kind: 'failed', error: failureCode(e) };
  }
}

/** A PHI-free code for why a job failed: what the status answer and the trail say. */
function failureCode(e: unknown): string {
  if (isStoreUnavailable(e)) return 'database-unavailable';
  if (e instanceof FhirError) {
    if (e.status === 503) return 'key-unavailable';
    if (e.status === 500) return 'integrity';
    if (e.status === 410) return 'disposed';
    return 'refused';
  }
  return 'failed';
}
