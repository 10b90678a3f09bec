import type { AuditRecorder, RequestAuditFields } from '../audit/index.js';
import type { RequestContext } from '../auth/index.js';
import { generateKey, IntegrityError, type KeyProvider } from '../crypto/index.js';
import {
  exportTypes,
  FhirError,
  groupMembers,
  readRecord,
  type RecordDeps,
} from '../records/index.js';
import type { BulkExportRepository, BulkExportRow } from '../store/index.js';
import {
  callerOf,
  parseRecord,
  type ExportLevel,
  type ExportRecord,
  type ExportStatus,
} from './export-record.js';
import { draftOf } from './draft.js';
import { runExport, type RunOutcome } from './run-export.js';
import { FILE_NAME, readSealedFile, removeExportFiles } from './sealed-file.js';

export interface BulkExportOptions {
  records: RecordDeps;
  repo: BulkExportRepository;
  provider: KeyProvider;
  audit: AuditRecorder;
  /** Directory of the sealed NDJSON files (created 0700). */
  dir: string;
  clock: () => Date;
  newId: () => string;
  /** How long a finished export's files are kept (default 1 hour). */
  ttlMs?: number;
  /** Unfinished exports one caller may have at once; more get 429 (default 3). */
  perCaller?: number;
  /** Exports run at once in this process; the others wait their turn (default 2). */
  concurrency?: number;
  /** Plaintext bytes per NDJSON file before another file of the type is started (16 MiB). */
  maxFileBytes?: number;
  /** Called before each progress write of a job; tests hold a job there (default: no wait). */
  pace?: (progress: number) => Promise<void>;
}

export interface KickOff {
  level: ExportLevel;
  groupId?: string;
  types: string[] | undefined;
  since: string | undefined;
  request: string;
  base: string;
}

export type ExportState =
  | { status: 'in-progress'; progress: number }
  | { status: 'complete'; manifest: Record<string, unknown> }
  | { status: 'failed'; error: string };

/** A job silent this long, and not running here, was interrupted (its server stopped). */
const STALE_MS = 60_000;
const DAY_MS = 24 * 3_600_000;

/**
 * FHIR Bulk Data `$export` jobs (ADR 0036): kick-off, status, files, cancel and expiry. A job
 * runs in this process as its caller (src/records decides every record), writes its NDJSON
 * encrypted under a data key of its own, and is recorded in the audit trail with the patients it
 * contained before its manifest is offered. Only the caller who started a job sees it.
 */
export class BulkExports {
  readonly #o: Required<BulkExportOptions>;
  readonly #running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  readonly #queue: Array<() => void> = [];
  /** Failures of jobs run here not yet recorded in the store (it was away when they failed). */
  readonly #failures = new Map<string, string>();
  #active = 0;
  #kickOffs: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(o: BulkExportOptions) {
    this.#o = {
      ttlMs: 3_600_000,
      perCaller: 3,
      concurrency: 2,
      maxFileBytes: 16 * 1024 * 1024,
      pace: () => Promise.resolve(),
      ...o,
    };
  }

  /** Starts an export (202): decided and audited now, run in the background. */
  async kickOff(ctx: RequestContext, k: KickOff): Promise<string> {
    if (this.#closed) throw new FhirError(503, 'transient', 'the server is stopping');
    const { records } = this.#o;
    // A Group is read as the caller (decided and audited); its members are whom it exports.
    const members =
      k.level === 'group'
        ? groupMembers(
            JSON.parse(
              (await readRecord(records, ctx, 'Group', k.groupId!)).json.toString('utf8'),
            ) as Record<string, unknown>,
          )
        : undefined;
    const types = await exportTypes(records, ctx, k.types);
    // Kick-offs are taken one at a time, so parallel ones cannot all pass the per-caller limit.
    const run = this.#kickOffs.then(() => this.#accept(ctx, k, types, members));
    this.#kickOffs = run.catch(() => undefined);
    return run;
  }

  async #accept(
    ctx: RequestContext,
    k: KickOff,
    types: string[],
    members: string[] | undefined,
  ): Promise<string> {
    const { repo, provider, clock, newId } = this.#o;
    const id = newId();
    const now = clock().toISOString();
    const key = generateKey();
    try {
      const wrapped = await provider.wrapKey(key, keyContext(id));
      const record: ExportRecord = {
        level: k.level,
        ...(k.groupId !== undefined && { groupId: k.groupId }),
        types,
        ...(k.since !== undefined && { since: k.since }),
        request: k.request,
        base: k.base,
        transactionTime: now,
        key: { kekId: wrapped.kekId, blob: wrapped.blob.toString('base64') },
        heartbeat: now,
        progress: 0,
        files: [],
      };
      const row = {
        id,
        caller: callerOf(ctx),
        status: 'in-progress' satisfies ExportStatus,
        record: JSON.stringify(record),
        createdAt: now,
        expiresAt: new Date(clock().getTime() + DAY_MS).toISOString(),
      };
      await this.#reapStale(); // a dead server's jobs do not hold the caller's slots
      const accepted = await repo.insertWithinLimit(row, 'in-progress', this.#o.perCaller);
      await this.#audit(ctx, {
        action: 'bulk-export',
        outcome: accepted ? 'success' : 'denied',
        detail: {
          stage: 'kick-off',
          level: k.level,
          types,
          ...(accepted ? { export: id } : { reason: 'too-many-exports' }),
          ...(k.groupId !== undefined && { group: k.groupId }),
        },
      });
      if (!accepted)
        throw new FhirError(429, 'throttled', 'too many exports in progress; wait for one to end');
      this.#schedule(ctx, id, key, members);
      return id;
    } catch (e) {
      key.fill(0);
      throw e;
    }
  }

  #schedule(ctx: RequestContext, id: string, key: Buffer, members: string[] | undefined): void {
    const abort = new AbortController();
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve)).then(async () => {
      try {
        const outcome = await runExport(
          { ...this.#o, audit: (drafts) => this.#o.audit.append(...drafts) },
          ctx,
          id,
          key,
          members,
          abort.signal,
        );
        if (outcome.kind === 'failed') this.#failures.set(id, outcome.error);
        await this.#settle(ctx, id, outcome);
      } catch {
        // The store is gone, so the failure could not be recorded yet: it is kept here and
        // recorded by the next poll (another server answers it interrupted once it is stale).
      } finally {
        key.fill(0);
        this.#running.delete(id);
        this.#active -= 1;
        this.#queue.shift()?.();
      }
    });
    this.#running.set(id, { abort, done });
    const start = () => {
      this.#active += 1;
      release();
    };
    if (this.#active < this.#o.concurrency) start();
    else this.#queue.push(start);
  }

  /** Records a failed or cancelled run: its files go, a failure stays visible until expiry. */
  async #settle(ctx: RequestContext, id: string, outcome: RunOutcome): Promise<void> {
    if (outcome.kind === 'complete' || outcome.kind === 'gone') return;
    removeExportFiles(this.#o.dir, id);
    if (outcome.kind === 'cancelled') return;
    await this.#fail(ctx, id, outcome.error);
  }

  async #fail(ctx: RequestContext | undefined, id: string, error: string): Promise<void> {
    const { repo, clock } = this.#o;
    removeExportFiles(this.#o.dir, id);
    for (let attempt = 0; attempt < 3; attempt++) {
      const row = await repo.get(id);
      if (!row || row.status !== 'in-progress') return;
      const record = { ...parseRecord(row.record), files: [], error };
      const expiresAt = new Date(clock().getTime() + this.#o.ttlMs).toISOString();
      if (
        await repo.update(id, row.version, {
          status: 'failed',
          record: JSON.stringify(record),
          expiresAt,
        })
      ) {
        const fields: RequestAuditFields = {
          action: 'bulk-export',
          outcome: 'failure',
          detail: { stage: 'failed', export: id, error },
        };
        await this.#o.audit.append(
          ctx ? draftOf(ctx, fields) : { ...fields, actorType: 'system', actorId: null },
        );
        return;
      }
    }
  }

  /** The job's state for its caller; anyone else (or an expired job) gets 404. */
  async status(ctx: RequestContext, id: string): Promise<ExportState> {
    let row = await this.#own(ctx, id);
    const failed = this.#failures.get(id);
    if (row.status === 'in-progress' && (failed !== undefined || this.#stale(row))) {
      await this.#fail(failed === undefined ? undefined : ctx, id, failed ?? 'interrupted');
      this.#failures.delete(id);
      row = await this.#own(ctx, id);
    }
    const record = parseRecord(row.record);
    if (row.status === 'failed') return { status: 'failed', error: record.error ?? 'failed' };
    if (row.status === 'in-progress') return { status: 'in-progress', progress: record.progress };
    return { status: 'complete', manifest: manifestOf(id, record) };
  }

  /** One NDJSON file, decrypted for its caller once its tag verified; audited before it goes. */
  async download(ctx: RequestContext, id: string, name: string): Promise<Buffer> {
    if (!FILE_NAME.test(name)) throw new FhirError(404, 'not-found', 'file not found');
    const row = await this.#own(ctx, id);
    const record = parseRecord(row.record);
    const file = record.files.find((f) => f.name === name);
    if (row.status !== 'complete' || !file) throw new FhirError(404, 'not-found', 'file not found');
    const fields = (outcome: 'success' | 'failure', extra: Record<string, string | number>) =>
      draftOf(ctx, {
        action: 'bulk-export-download',
        outcome,
        resourceType: file.type,
        detail: { export: id, file: name, ...extra },
      });
    let ndjson: Buffer;
    const key = await this.#o.provider.unwrapKey(
      { kekId: record.key.kekId, blob: Buffer.from(record.key.blob, 'base64') },
      keyContext(id),
    );
    try {
      ndjson = readSealedFile(this.#o.dir, id, name, key);
    } catch (e) {
      const error = e instanceof IntegrityError ? 'integrity' : 'unreadable';
      await this.#o.audit.append(fields('failure', { error }));
      throw new FhirError(500, 'exception', 'the export file failed its integrity check');
    } finally {
      key.fill(0);
    }
    await this.#o.audit.append(fields('success', { resources: file.count }));
    return ndjson;
  }

  /** DELETE on the status URL: stops a running job, removes its files and its row. */
  async cancel(ctx: RequestContext, id: string): Promise<void> {
    const row = await this.#own(ctx, id);
    const running = this.#running.get(id);
    if (running) {
      running.abort.abort();
      await running.done;
    }
    await this.#o.repo.remove(id);
    removeExportFiles(this.#o.dir, id);
    await this.#audit(ctx, {
      action: 'bulk-export',
      outcome: 'success',
      detail: { stage: 'cancelled', export: id, was: row.status },
    });
  }

  /**
   * Deletes every export past its expiry: files, wrapped key and row. Run by a timer in the
   * server and callable with the injected clock; a job still running here is left to finish.
   */
  async sweep(): Promise<number> {
    const { repo, clock, dir } = this.#o;
    await this.#reapStale();
    let removed = 0;
    for (const row of await repo.expired(clock().toISOString())) {
      if (this.#running.has(row.id)) continue;
      removeExportFiles(dir, row.id);
      await repo.remove(row.id);
      removed += 1;
    }
    if (removed > 0)
      await this.#o.audit.append({
        action: 'bulk-export',
        outcome: 'success',
        actorType: 'system',
        actorId: null,
        detail: { stage: 'expired', exports: removed },
      });
    return removed;
  }

  /** Resolves once every job this process runs (or has queued) has ended. */
  async drain(): Promise<void> {
    while (this.#running.size > 0)
      await Promise.all([...this.#running.values()].map((r) => r.done));
  }

  /** Stops accepting, ends running jobs (recorded as interrupted) and waits for them. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#queue.length = 0;
    const running = [...this.#running.values()];
    for (const r of running) r.abort.abort('closing');
    await Promise.all(running.map((r) => r.done));
  }

  async #own(ctx: RequestContext, id: string): Promise<BulkExportRow> {
    const row = /^[0-9a-f-]{36}$/.test(id) ? await this.#o.repo.get(id) : undefined;
    // Another caller's job is as unknown as a missing one.
    if (!row || row.caller !== callerOf(ctx) || row.expiresAt <= this.#o.clock().toISOString())
      throw new FhirError(404, 'not-found', 'no such export');
    return row;
  }

  /** Records as interrupted every job in progress that no server has touched for a minute. */
  async #reapStale(): Promise<void> {
    for (const row of await this.#o.repo.withStatus('in-progress'))
      if (this.#stale(row)) {
        await this.#fail(undefined, row.id, this.#failures.get(row.id) ?? 'interrupted');
        this.#failures.delete(row.id);
      }
  }

  #stale(row: BulkExportRow): boolean {
    if (this.#running.has(row.id)) return false;
    if (this.#failures.has(row.id)) return true;
    const beat = Date.parse(parseRecord(row.record).heartbeat);
    return this.#o.clock().getTime() - beat > STALE_MS;
  }

  #audit(ctx: RequestContext, fields: RequestAuditFields): Promise<void> {
    return this.#o.audit.append(draftOf(ctx, fields));
  }
}

function keyContext(id: string): string {
  return `bulk-export/${id}`;
}

/** The completion manifest of the Bulk Data IG. */
function manifestOf(id: string, r: ExportRecord): Record<string, unknown> {
  return {
    transactionTime: r.transactionTime,
    request: r.request,
    requiresAccessToken: true,
    output: r.files.map((f) => ({
      type: f.type,
      url: `${r.base}/$export-file/${id}/${f.name}`,
      count: f.count,
    })),
    error: [],
  };
}
