import { sql, type Kysely } from 'kysely';
import { writeTransaction, type Engine } from './engine.js';
import type { HavenDatabase } from './schema.js';

/** The newest change to one resource type of an owner: what retention is counted from. */
export interface OwnerTypeAge {
  resourceType: string;
  lastUpdated: string;
  count: number;
}

export interface DisposalRecord {
  owner: string;
  disposedAt: string;
  requestedBy: string;
  approvedBy: string;
  approvalId: string;
  override: string | null;
}

/** What a disposal removed, counted (no ids beyond the owner's). */
export interface DisposalCounts {
  resources: number;
  versions: number;
  searchTokens: number;
  relations: number;
  grants: number;
  dataKeys: number;
}

type Db = Kysely<HavenDatabase>;

/** The SQL of disposing of a patient's record (ADR 0029). */
export class DisposalRepository {
  constructor(
    private readonly db: Db,
    private readonly engine: Engine,
  ) {}

  /** Per resource type of the owner's record: how many, and the newest lastUpdated. */
  async ages(owner: string): Promise<OwnerTypeAge[]> {
    const rows = await this.db
      .selectFrom('resource_heads')
      .select([
        'resource_type',
        sql<string>`max(last_updated)`.as('newest'),
        sql<number>`count(*)`.as('n'),
      ])
      .where('owner', '=', owner)
      .groupBy('resource_type')
      .orderBy('resource_type')
      .execute();
    return rows.map((r) => ({
      resourceType: r.resource_type,
      lastUpdated: r.newest,
      count: Number(r.n),
    }));
  }

  async find(owner: string): Promise<DisposalRecord | undefined> {
    const r = await this.db
      .selectFrom('disposals')
      .selectAll()
      .where('owner', '=', owner)
      .executeTakeFirst();
    return (
      r && {
        owner: r.owner,
        disposedAt: r.disposed_at,
        requestedBy: r.requested_by,
        approvedBy: r.approved_by,
        approvalId: r.approval_id,
        override: r.override,
      }
    );
  }

  /**
   * In one transaction: the owner's data keys destroyed (wrapped key overwritten, row kept as a
   * tombstone so no version is ever reissued), every version, head and search token of the
   * owner's resources deleted, relations and emergency grants naming the patient deleted, and
   * the disposal recorded. Either all of it happens or none.
   */
  async dispose(rec: DisposalRecord, patientKey: Buffer): Promise<DisposalCounts> {
    return writeTransaction(this.db, this.engine, async (trx) => {
      const owned = await trx
        .selectFrom('resource_heads')
        .select(sql<number>`count(*)`.as('n'))
        .where('owner', '=', rec.owner)
        .executeTakeFirst();
      const resources = Number(owned?.n ?? 0);
      const tokens = await trx
        .deleteFrom('search_tokens')
        .where(({ eb, refTuple, selectFrom }) =>
          eb(
            refTuple('resource_type', 'id'),
            'in',
            selectFrom('resource_heads')
              .select(['resource_type', 'id'])
              .where('owner', '=', rec.owner)
              .$asTuple('resource_type', 'id'),
          ),
        )
        .executeTakeFirst();
      // First: the disposals row is what lets the append-only trigger allow these deletes.
      await trx
        .insertInto('disposals')
        .values({
          owner: rec.owner,
          disposed_at: rec.disposedAt,
          requested_by: rec.requestedBy,
          approved_by: rec.approvedBy,
          approval_id: rec.approvalId,
          override: rec.override,
          resources,
        })
        .execute();
      const versions = await trx
        .deleteFrom('resource_versions')
        .where('owner', '=', rec.owner)
        .executeTakeFirst();
      await trx.deleteFrom('resource_heads').where('owner', '=', rec.owner).execute();
      const relations = await trx
        .deleteFrom('care_relations')
        .where('patient_key', '=', patientKey)
        .executeTakeFirst();
      const grants = await trx
        .deleteFrom('break_glass_grants')
        .where('patient_key', '=', patientKey)
        .executeTakeFirst();
      const keys = await trx
        .updateTable('data_keys')
        .set({ destroyed: 1, wrapped: Buffer.alloc(0) })
        .where('owner', '=', rec.owner)
        .executeTakeFirst();
      return {
        resources,
        versions: Number(versions.numDeletedRows),
        searchTokens: Number(tokens.numDeletedRows),
        relations: Number(relations.numDeletedRows),
        grants: Number(grants.numDeletedRows),
        dataKeys: Number(keys.numUpdatedRows),
      };
    });
  }
}
