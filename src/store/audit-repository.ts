import type { Kysely } from 'kysely';
import { forUpdate, type Engine } from './engine.js';
import type { AuditEntryTable, HavenDatabase } from './schema.js';

export type AuditRow = AuditEntryTable;

export interface AuditHead {
  size: number;
  frontier: Buffer;
  checkpointSize: number;
  checkpointAt: string;
}

export interface ArchiveRow {
  upToSeq: number;
  frontier: Buffer;
  note: string;
  createdAt: string;
}

export interface AuditQuery {
  patientId?: string;
  actorId?: string;
  action?: string;
  outcome?: string;
  /** ISO timestamps, inclusive lower and exclusive upper bound on `at`. */
  from?: string;
  to?: string;
}

export interface CheckpointRow {
  size: number;
  rootHash: Buffer;
  note: string;
  createdAt: string;
}

type Db = Kysely<HavenDatabase>;

/**
 * The audit trail's rows. Appends happen only inside a batch transaction that first locks the
 * head row, which is what keeps sequence numbers contiguous across server processes.
 */
export class AuditRepository {
  constructor(
    private readonly db: Db,
    private readonly engine: Engine,
  ) {}

  async lockHead(trx: Db): Promise<AuditHead> {
    let q = trx.selectFrom('audit_head').selectAll().where('id', '=', 1);
    if (forUpdate(this.engine)) q = q.forUpdate();
    const row = await q.executeTakeFirstOrThrow();
    return {
      size: Number(row.size),
      frontier: row.frontier,
      checkpointSize: Number(row.checkpoint_size),
      checkpointAt: row.checkpoint_at,
    };
  }

  async append(trx: Db, rows: AuditRow[], head: AuditHead): Promise<void> {
    for (let i = 0; i < rows.length; i += 200) {
      await trx
        .insertInto('audit_entries')
        .values(rows.slice(i, i + 200))
        .execute();
    }
    await trx
      .updateTable('audit_head')
      .set({
        size: head.size,
        frontier: head.frontier,
        checkpoint_size: head.checkpointSize,
        checkpoint_at: head.checkpointAt,
      })
      .where('id', '=', 1)
      .execute();
  }

  async insertCheckpoint(trx: Db, cp: CheckpointRow): Promise<void> {
    await trx
      .insertInto('audit_checkpoints')
      .values({ size: cp.size, root_hash: cp.rootHash, note: cp.note, created_at: cp.createdAt })
      .execute();
  }

  async head(): Promise<AuditHead> {
    const row = await this.db
      .selectFrom('audit_head')
      .selectAll()
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return {
      size: Number(row.size),
      frontier: row.frontier,
      checkpointSize: Number(row.checkpoint_size),
      checkpointAt: row.checkpoint_at,
    };
  }

  /**
   * Runs `fn` against one consistent snapshot of the trail (REPEATABLE READ on PostgreSQL; a
   * read transaction on SQLite), so a verification racing live writers sees head, entries and
   * checkpoints as of one instant and cannot raise a false alarm.
   */
  async withSnapshot<T>(fn: (snapshot: AuditRepository) => Promise<T>): Promise<T> {
    let tx = this.db.transaction();
    if (this.engine === 'postgres') tx = tx.setIsolationLevel('repeatable read');
    return tx.execute((trx) => fn(new AuditRepository(trx, this.engine)));
  }

  /** Highest sequence number present (an entry beyond the head was inserted behind its back). */
  async maxSeq(): Promise<number | undefined> {
    const r = await this.db
      .selectFrom('audit_entries')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    return r?.seq === null || r?.seq === undefined ? undefined : Number(r.seq);
  }

  /** Entries with seq in [from, from+limit), in order, for verification and export. */
  async entries(from: number, limit: number): Promise<AuditRow[]> {
    return this.db
      .selectFrom('audit_entries')
      .selectAll()
      .where('seq', '>=', from)
      .orderBy('seq')
      .limit(limit)
      .execute()
      .then((rows) => rows.map(normalize));
  }

  async checkpoints(): Promise<CheckpointRow[]> {
    const rows = await this.db
      .selectFrom('audit_checkpoints')
      .selectAll()
      .orderBy('size')
      .execute();
    return rows.map((r) => ({
      size: Number(r.size),
      rootHash: r.root_hash,
      note: r.note,
      createdAt: r.created_at,
    }));
  }

  /** Stored leaf hashes for seq in [from, from+limit), in order (proofs and export headers). */
  async leafHashes(from: number, limit: number): Promise<Buffer[]> {
    const rows = await this.db
      .selectFrom('audit_entries')
      .select('leaf_hash')
      .where('seq', '>=', from)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => r.leaf_hash);
  }

  /** The first sequence number whose entry was written at or after `at`, if any. */
  async firstSeqAtOrAfter(at: string): Promise<number | undefined> {
    const r = await this.db
      .selectFrom('audit_entries')
      .select((eb) => eb.fn.min('seq').as('seq'))
      .where('at', '>=', at)
      .executeTakeFirst();
    return r?.seq === null || r?.seq === undefined ? undefined : Number(r.seq);
  }

  /** Latest write time among entries below `seq` (to prove an archive range is old enough). */
  async newestBelow(seq: number): Promise<string | undefined> {
    const r = await this.db
      .selectFrom('audit_entries')
      .select((eb) => eb.fn.max('at').as('at'))
      .where('seq', '<', seq)
      .executeTakeFirst();
    return r?.at ?? undefined;
  }

  async latestArchive(): Promise<ArchiveRow | undefined> {
    const r = await this.db
      .selectFrom('audit_archives')
      .selectAll()
      .orderBy('up_to_seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return (
      r && {
        upToSeq: Number(r.up_to_seq),
        frontier: r.frontier,
        note: r.note,
        createdAt: r.created_at,
      }
    );
  }

  /**
   * Records the signed archive mark and removes the entries below it, in one transaction. The
   * database trigger permits the delete only below the newest archive mark.
   */
  async archive(row: ArchiveRow): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('audit_archives')
        .values({
          up_to_seq: row.upToSeq,
          frontier: row.frontier,
          note: row.note,
          created_at: row.createdAt,
        })
        .execute();
      const r = await trx
        .deleteFrom('audit_entries')
        .where('seq', '<', row.upToSeq)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    });
  }

  async countEntries(): Promise<number> {
    const r = await this.db
      .selectFrom('audit_entries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Entries matching every given field, newest first, with the total count. */
  async search(
    q: AuditQuery,
    limit: number,
    offset: number,
  ): Promise<{ rows: AuditRow[]; total: number }> {
    let base = this.db.selectFrom('audit_entries');
    if (q.patientId !== undefined) base = base.where('patient_id', '=', q.patientId);
    if (q.actorId !== undefined) base = base.where('actor_id', '=', q.actorId);
    if (q.action !== undefined) base = base.where('action', '=', q.action);
    if (q.outcome !== undefined) base = base.where('outcome', '=', q.outcome);
    if (q.from !== undefined) base = base.where('at', '>=', q.from);
    if (q.to !== undefined) base = base.where('at', '<', q.to);
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('seq', 'desc').limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows: rows.map(normalize), total: Number(count.n) };
  }

  async entry(seq: number): Promise<AuditRow | undefined> {
    const row = await this.db
      .selectFrom('audit_entries')
      .selectAll()
      .where('seq', '=', seq)
      .executeTakeFirst();
    return row && normalize(row);
  }

  /**
   * The patients whose records one actor (user or client) touched successfully in [from, to):
   * the individuals a breach by that actor may affect (src/compliance/breach). Ids only.
   */
  async patientsTouchedBy(actorId: string, from: string, to: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('audit_entries')
      .select('patient_id')
      .distinct()
      .where('actor_id', '=', actorId)
      .where('outcome', '=', 'success')
      .where('at', '>=', from)
      .where('at', '<', to)
      .where('patient_id', 'is not', null)
      .orderBy('patient_id')
      .execute();
    return rows.map((r) => r.patient_id!);
  }

  /** Each actor's newest successful entry among `actions` (last sign-in per account). */
  async lastSuccessByActor(actions: readonly string[]): Promise<Map<string, string>> {
    const rows = await this.db
      .selectFrom('audit_entries')
      .select(['actor_id', (eb) => eb.fn.max('at').as('last')])
      .where('action', 'in', actions)
      .where('outcome', '=', 'success')
      .where('actor_id', 'is not', null)
      .groupBy('actor_id')
      .execute();
    return new Map(rows.map((r) => [r.actor_id!, String(r.last)]));
  }

  /** Accesses to one patient's record, newest first (accounting of disclosures). */
  async forPatient(patientId: string, limit: number): Promise<AuditRow[]> {
    const rows = await this.db
      .selectFrom('audit_entries')
      .selectAll()
      .where('patient_id', '=', patientId)
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.map(normalize);
  }
}

function normalize(r: AuditRow): AuditRow {
  return {
    ...r,
    seq: Number(r.seq),
    resource_version: r.resource_version === null ? null : Number(r.resource_version),
  };
}
