import { sql, type Kysely } from 'kysely';
import { prepareQuery } from './prepared-query.js';
import type { HavenDatabase, ResourceVersionTable } from './schema.js';

type Row = Omit<ResourceVersionTable, never>;

export interface StoredVersion {
  resourceType: string;
  id: string;
  version: number;
  owner: string;
  lastUpdated: string;
  deleted: boolean;
  body: Buffer;
}

export interface VersionWrite extends StoredVersion {
  /** Blind-index tokens for the new version; replace the previous version's tokens. */
  tokens: Buffer[];
  /** Version the caller read and built on; undefined for a create. */
  expectedVersion: number | undefined;
}

/** New search tokens for a resource version (a search-index rebuild). */
export interface TokenReplacement {
  resourceType: string;
  id: string;
  version: number;
  tokens: Buffer[];
}

export class VersionConflictError extends Error {
  readonly code = 'version-conflict';
  constructor() {
    super('the resource was changed by another request');
  }
}

type Db = Kysely<HavenDatabase>;
/** The search_index_state row of the resource search tokens. */
const SEARCH_INDEX = 'resources';
const TOKEN_CHUNK = 400;

/**
 * Whose records a search may return, applied in SQL before anything is counted or decrypted:
 * these patients' records only. (Care relations hold no plaintext patient ids to join on; the
 * access module resolves a person's related patients first.)
 */
export interface OwnerScope {
  patients: readonly string[];
}

/** Owners per statement: far below SQLite's 32766 and PostgreSQL's 65535 bound parameters. */
const OWNER_CHUNK = 5000;

/** Versioned, sealed FHIR resources and their blind-index tokens. Every record SQL lives here. */
export class ResourceRepository {
  private readonly currentQuery: (type: string, id: string) => Promise<Row[]>;

  constructor(private readonly db: Db) {
    this.currentQuery = prepareQuery<[string, string], Row>(db, 2, (type, id) =>
      currentVersions(db).where('h.resource_type', '=', type).where('h.id', '=', id),
    );
  }

  /** The current version of a resource (every authenticated read runs this). */
  async readCurrent(resourceType: string, id: string): Promise<StoredVersion | undefined> {
    const [row] = await this.currentQuery(resourceType, id);
    return row && toStored(row);
  }

  async head(
    resourceType: string,
    id: string,
  ): Promise<{ version: number; owner: string; deleted: boolean } | undefined> {
    const row = await this.db
      .selectFrom('resource_heads')
      .select(['version', 'owner', 'deleted'])
      .where('resource_type', '=', resourceType)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && { version: row.version, owner: row.owner, deleted: row.deleted === 1 };
  }

  async readVersion(
    resourceType: string,
    id: string,
    version: number,
  ): Promise<StoredVersion | undefined> {
    const row = await this.db
      .selectFrom('resource_versions')
      .selectAll()
      .where('resource_type', '=', resourceType)
      .where('id', '=', id)
      .where('version', '=', version)
      .executeTakeFirst();
    return row && toStored(row);
  }

  /** All versions, newest first (FHIR history order). */
  async history(resourceType: string, id: string): Promise<StoredVersion[]> {
    const rows = await this.db
      .selectFrom('resource_versions')
      .selectAll()
      .where('resource_type', '=', resourceType)
      .where('id', '=', id)
      .orderBy('version', 'desc')
      .execute();
    return rows.map(toStored);
  }

  /**
   * Ids of live resources carrying at least one token of every set (AND of ORs), at most `limit`.
   * An empty list of sets means every live resource of the type.
   */
  async findIds(
    resourceType: string,
    tokenSets: Buffer[][],
    limit: number,
    columns: {
      ids?: string[];
      lastUpdatedFrom?: string;
      lastUpdatedTo?: string;
      /** Keyset paging (a bulk export walks a type in id order): ids after this one only. */
      afterId?: string;
    } = {},
    owners?: OwnerScope,
  ): Promise<string[]> {
    let q = this.db
      .selectFrom('resource_heads')
      .select('id')
      .where('resource_type', '=', resourceType)
      .where('deleted', '=', 0);
    if (columns.ids !== undefined) {
      if (columns.ids.length === 0) return [];
      q = q.where('id', 'in', columns.ids);
    }
    // lastUpdated is stored as ISO-8601 UTC with milliseconds, so text order is time order.
    if (columns.lastUpdatedFrom !== undefined)
      q = q.where('last_updated', '>=', columns.lastUpdatedFrom);
    if (columns.lastUpdatedTo !== undefined)
      q = q.where('last_updated', '<', columns.lastUpdatedTo);
    if (columns.afterId !== undefined) q = q.where('id', '>', columns.afterId);
    if (owners !== undefined) {
      const patients = [...new Set(owners.patients)];
      if (patients.length === 0) return [];
      if (patients.length > OWNER_CHUNK) {
        // Each chunk's first `limit` ids in order; the first `limit` of their union is the answer.
        const ids: string[] = [];
        for (let i = 0; i < patients.length; i += OWNER_CHUNK)
          ids.push(
            ...(await this.findIds(resourceType, tokenSets, limit, columns, {
              patients: patients.slice(i, i + OWNER_CHUNK),
            })),
          );
        return ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, limit);
      }
      q = q.where('owner', 'in', patients);
    }
    for (const set of tokenSets) {
      if (set.length === 0) return [];
      q = q.where('id', 'in', (sub) =>
        sub
          .selectFrom('search_tokens')
          .select('id')
          .where('resource_type', '=', resourceType)
          .where('token', 'in', set),
      );
    }
    const rows = await q.orderBy('id').limit(limit).execute();
    return rows.map((r) => r.id);
  }

  /** Live resources of one owner (a patient's compartment), any type when `types` is empty. */
  async idsByOwner(
    owner: string,
    types: readonly string[],
  ): Promise<{ resourceType: string; id: string }[]> {
    let q = this.db
      .selectFrom('resource_heads')
      .select(['resource_type', 'id'])
      .where('owner', '=', owner)
      .where('deleted', '=', 0);
    if (types.length > 0) q = q.where('resource_type', 'in', types);
    const rows = await q.orderBy('resource_type').orderBy('id').execute();
    return rows.map((r) => ({ resourceType: r.resource_type, id: r.id }));
  }

  async readCurrentMany(resourceType: string, ids: readonly string[]): Promise<StoredVersion[]> {
    const out: StoredVersion[] = [];
    for (let i = 0; i < ids.length; i += TOKEN_CHUNK) {
      const chunk = ids.slice(i, i + TOKEN_CHUNK);
      const rows = await currentVersions(this.db)
        .where('h.resource_type', '=', resourceType)
        .where('h.id', 'in', chunk)
        .execute();
      for (const r of rows) out.push(toStored(r));
    }
    return out;
  }

  /**
   * Writes a new version inside the caller's transaction. The head row is the optimistic lock:
   * a create fails if the id exists, an update fails unless the head is still expectedVersion.
   */
  static async writeVersion(trx: Db, w: VersionWrite): Promise<void> {
    const head = {
      version: w.version,
      owner: w.owner,
      last_updated: w.lastUpdated,
      deleted: w.deleted ? 1 : 0,
    };
    if (w.expectedVersion === undefined) {
      const inserted = await trx
        .insertInto('resource_heads')
        .values({ resource_type: w.resourceType, id: w.id, ...head })
        .onConflict((c) => c.doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) !== 1) throw new VersionConflictError();
    } else {
      const updated = await trx
        .updateTable('resource_heads')
        .set(head)
        .where('resource_type', '=', w.resourceType)
        .where('id', '=', w.id)
        .where('version', '=', w.expectedVersion)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw new VersionConflictError();
      await trx
        .deleteFrom('search_tokens')
        .where('resource_type', '=', w.resourceType)
        .where('id', '=', w.id)
        .execute();
    }
    await trx
      .insertInto('resource_versions')
      .values({
        resource_type: w.resourceType,
        id: w.id,
        version: w.version,
        owner: w.owner,
        last_updated: w.lastUpdated,
        deleted: w.deleted ? 1 : 0,
        body: w.body,
      })
      .execute();
    const unique = dedupe(w.tokens);
    for (let i = 0; i < unique.length; i += TOKEN_CHUNK) {
      await trx
        .insertInto('search_tokens')
        .values(
          unique
            .slice(i, i + TOKEN_CHUNK)
            .map((token) => ({ resource_type: w.resourceType, id: w.id, token })),
        )
        .execute();
    }
  }

  /** The registry version the search tokens were built with; undefined before any was recorded. */
  async searchIndexVersion(): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('search_index_state')
      .select('version')
      .where('name', '=', SEARCH_INDEX)
      .executeTakeFirst();
    return row?.version;
  }

  async recordSearchIndexVersion(version: string, at: string): Promise<void> {
    await this.db
      .insertInto('search_index_state')
      .values({ name: SEARCH_INDEX, version, built_at: at })
      .onConflict((c) => c.column('name').doUpdateSet({ version, built_at: at }))
      .execute();
  }

  /**
   * Current versions of live resources in (type, id) order after `after`, at most `limit`: the
   * batches a search-index rebuild walks.
   */
  async liveBatch(
    after: { resourceType: string; id: string } | undefined,
    limit: number,
  ): Promise<StoredVersion[]> {
    let q = currentVersions(this.db).where('h.deleted', '=', 0);
    if (after !== undefined)
      q = q.where((eb) =>
        eb.or([
          eb('h.resource_type', '>', after.resourceType),
          eb.and([eb('h.resource_type', '=', after.resourceType), eb('h.id', '>', after.id)]),
        ]),
      );
    const rows = await q.orderBy('h.resource_type').orderBy('h.id').limit(limit).execute();
    return rows.map(toStored);
  }

  /**
   * Replaces resources' search tokens in one transaction, each only if its head is still at the
   * given version (a write since the batch was read has indexed the newer version itself).
   * Returns how many were replaced.
   */
  async replaceTokens(entries: readonly TokenReplacement[]): Promise<number> {
    if (entries.length === 0) return 0;
    const byType = new Map<string, TokenReplacement[]>();
    for (const e of entries) byType.set(e.resourceType, [...(byType.get(e.resourceType) ?? []), e]);
    return this.db.transaction().execute(async (trx) => {
      let replaced = 0;
      for (const [type, group] of byType) {
        for (let i = 0; i < group.length; i += TOKEN_CHUNK) {
          const chunk = group.slice(i, i + TOKEN_CHUNK);
          const heads = await trx
            .selectFrom('resource_heads')
            .select(['id', 'version'])
            .where('resource_type', '=', type)
            .where(
              'id',
              'in',
              chunk.map((e) => e.id),
            )
            .execute();
          const current = new Map(heads.map((h) => [h.id, h.version]));
          const fresh = chunk.filter((e) => current.get(e.id) === e.version);
          if (fresh.length === 0) continue;
          await trx
            .deleteFrom('search_tokens')
            .where('resource_type', '=', type)
            .where(
              'id',
              'in',
              fresh.map((e) => e.id),
            )
            .execute();
          const rows = fresh.flatMap((e) =>
            dedupe(e.tokens).map((token) => ({ resource_type: type, id: e.id, token })),
          );
          for (let r = 0; r < rows.length; r += TOKEN_CHUNK)
            await trx
              .insertInto('search_tokens')
              .values(rows.slice(r, r + TOKEN_CHUNK))
              .execute();
          replaced += fresh.length;
        }
      }
      return replaced;
    });
  }

  async countLive(): Promise<number> {
    const r = await this.db
      .selectFrom('resource_heads')
      .select(sql<number>`count(*)`.as('n'))
      .where('deleted', '=', 0)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}

/** Each resource's current version: the head joined to the version it points at. */
function currentVersions(db: Db) {
  return db
    .selectFrom('resource_heads as h')
    .innerJoin('resource_versions as v', (j) =>
      j
        .onRef('v.resource_type', '=', 'h.resource_type')
        .onRef('v.id', '=', 'h.id')
        .onRef('v.version', '=', 'h.version'),
    )
    .select([
      'v.resource_type',
      'v.id',
      'v.version',
      'v.owner',
      'v.last_updated',
      'v.deleted',
      'v.body',
    ]);
}

function dedupe(tokens: Buffer[]): Buffer[] {
  const seen = new Set<string>();
  const out: Buffer[] = [];
  for (const t of tokens) {
    const k = t.toString('base64');
    if (!seen.has(k)) {
      seen.add(k);
      out.push(t);
    }
  }
  return out;
}

function toStored(r: {
  resource_type: string;
  id: string;
  version: number;
  owner: string;
  last_updated: string;
  deleted: number;
  body: Buffer;
}): StoredVersion {
  return {
    resourceType: r.resource_type,
    id: r.id,
    version: r.version,
    owner: r.owner,
    lastUpdated: r.last_updated,
    deleted: r.deleted === 1,
    body: r.body,
  };
}
