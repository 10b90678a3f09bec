import { sql, type Kysely } from 'kysely';
import type { HavenDatabase } from './schema.js';
import { writeTransaction, type Engine } from './engine.js';
import { StoreError } from './store-error.js';

type Db = Kysely<HavenDatabase>;

/**
 * One unit of work in a group commit. `run` does the job's writes (absent for audit-only jobs);
 * the job's audit drafts are appended in the same transaction, whether it succeeded or failed.
 */
export interface WriteJob<T, D> {
  run?: (trx: Db) => Promise<T>;
  onSuccess: (result: T | undefined) => D[];
  onFailure: (error: unknown) => D[];
}

/** Appends every audit draft of a batch inside the batch transaction (the audit trail's job). */
export type BatchFinalizer<D> = (trx: Db, drafts: D[]) => Promise<void>;

interface Pending<D> {
  job: WriteJob<unknown, D>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit: jobs that arrive while a transaction is committing are collected and committed
 * together in the next one. Each caller's promise settles only after its batch is durable, so
 * nothing is served or acknowledged before its audit entry is on disk, yet the fsync and the
 * audit tree update are paid once per batch rather than once per request.
 */
export class BatchWriter<D> {
  private queue: Pending<D>[] = [];
  private running = false;
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly engine: Engine,
    private readonly finalize: BatchFinalizer<D>,
    private readonly afterCommit: (committed: boolean) => void = () => {},
    private readonly maxBatch = 512,
    /**
     * Most jobs waiting for the next batch. Past it a job is refused at once (503, nothing
     * served) rather than queued: under overload or while the database is away, a line that only
     * grows holds every waiting request's memory and makes each of them later, not sooner.
     */
    private readonly maxQueue = 4096,
  ) {}

  /** Jobs waiting for a batch (not counting the one committing). */
  get queued(): number {
    return this.queue.length;
  }

  submit<T>(job: WriteJob<T, D>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreError('store-unavailable', 'writer is closed'));
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(new StoreError('store-busy', 'the audit writer queue is full'));
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        job: job as WriteJob<unknown, D>,
        resolve: resolve as (v: unknown) => void,
        reject,
      });
      this.schedule();
    });
  }

  /** Waits for everything queued so far, then refuses new work. */
  async close(): Promise<void> {
    while (this.queue.length > 0 || this.running) await new Promise((r) => setTimeout(r, 1));
    this.closed = true;
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    // setImmediate lets every request that is already readable join this batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.running || this.queue.length === 0) return;
    this.running = true;
    const batch = this.queue.splice(0, this.maxBatch);
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      await writeTransaction(this.db, this.engine, async (trx) => {
        outcomes.length = 0;
        const drafts: D[] = [];
        for (let i = 0; i < batch.length; i++) {
          const { job } = batch[i]!;
          if (!job.run) {
            outcomes.push({ ok: true, value: undefined });
            drafts.push(...job.onSuccess(undefined));
            continue;
          }
          const sp = `job${i}`;
          await sql.raw(`SAVEPOINT ${sp}`).execute(trx);
          try {
            const value = await job.run(trx);
            await sql.raw(`RELEASE SAVEPOINT ${sp}`).execute(trx);
            outcomes.push({ ok: true, value });
            drafts.push(...job.onSuccess(value));
          } catch (error) {
            await sql.raw(`ROLLBACK TO SAVEPOINT ${sp}`).execute(trx);
            await sql.raw(`RELEASE SAVEPOINT ${sp}`).execute(trx);
            outcomes.push({ ok: false, value: error });
            drafts.push(...job.onFailure(error));
          }
        }
        await this.finalize(trx, drafts);
      });
      this.afterCommit(true);
      batch.forEach((p, i) => {
        const o = outcomes[i]!;
        if (o.ok) p.resolve(o.value);
        else p.reject(o.value);
      });
    } catch {
      this.afterCommit(false);
      // The batch did not commit: no job's writes and no audit entry exist, so every caller
      // fails closed (the HTTP layer turns this into 503 and serves nothing).
      const failure = new StoreError(
        'store-unavailable',
        'the audit trail or database could not be written',
      );
      for (const p of batch) p.reject(failure);
    } finally {
      this.running = false;
      if (this.queue.length > 0) this.schedule();
    }
  }
}
