import { sql, type Kysely } from 'kysely';
import { writeTransaction, type Engine } from './engine.js';
import type { StoredVersion } from './resource-repository.js';
import type { HavenDatabase } from './schema.js';

/** A column as a backup carries it: its name and whether it holds bytes or an integer. */
export interface BackupColumn {
  name: string;
  kind: 'bytes' | 'integer' | 'text';
}

/** A table as a backup sees it, read from the database's own catalog. */
export interface BackupTable {
  name: string;
  columns: BackupColumn[];
  /** Primary-key columns: the order rows are read in (keyset pages, no OFFSET). */
  key: string[];
}

/** One row, values in `columns` order: null, a number, a string or bytes. */
export type BackupValue = null | number | string | Buffer;
export type BackupRow = BackupValue[];

/**
 * Not carried by a backup: live sign-ins and login throttling (a restored server starts with no
 * one signed in), leases of work in progress, the read-path caches' counter (its migration writes
 * the row; ADR 0037) and the migrator's own bookkeeping (the target's migrations write it).
 */
const NOT_BACKED_UP = new Set(['sessions', 'login_throttle', 'leases', 'cache_epoch']);
const isBookkeeping = (name: string) => name.startsWith('kysely_');

type Db = Kysely<HavenDatabase>;
type AnyDb = Kysely<Record<string, Record<string, unknown>>>;

/**
 * The SQL side of backup and restore. Tables and columns come from the catalog rather than a
 * list in code, so a table added by a later migration is carried without anyone remembering to.
 */
export class BackupRepository {
  constructor(
    private readonly db: Db,
    private readonly engine: Engine,
  ) {}

  /** Applied migrations, in order: the schema version a backup records and a restore checks. */
  async migrations(): Promise<string[]> {
    const r = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(
      this.db,
    );
    return r.rows.map((x) => x.name);
  }

  /** Every table a backup carries, in name order, with its columns and primary key. */
  async tables(): Promise<BackupTable[]> {
    return this.engine === 'sqlite' ? this.sqliteTables() : this.postgresTables();
  }

  private async sqliteTables(): Promise<BackupTable[]> {
    const names = await sql<{ name: string }>`SELECT name FROM sqlite_master
      WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`.execute(this.db);
    const tables: BackupTable[] = [];
    for (const { name } of names.rows) {
      if (NOT_BACKED_UP.has(name) || isBookkeeping(name)) continue;
      const cols = await sql<{ name: string; type: string; pk: number }>`SELECT name, type, pk
        FROM pragma_table_info(${name}) ORDER BY cid`.execute(this.db);
      tables.push({
        name,
        columns: cols.rows.map((c) => ({ name: c.name, kind: kindOf(c.type) })),
        key: cols.rows
          .filter((c) => c.pk > 0)
          .sort((a, b) => a.pk - b.pk)
          .map((c) => c.name),
      });
    }
    return tables;
  }

  private async postgresTables(): Promise<BackupTable[]> {
    const cols = await sql<{ table_name: string; column_name: string; data_type: string }>`
      SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
      JOIN information_schema.tables t
        ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
      ORDER BY c.table_name, c.ordinal_position`.execute(this.db);
    const keys = await sql<{ table_name: string; column_name: string }>`
      SELECT k.table_name, k.column_name FROM information_schema.table_constraints tc
      JOIN information_schema.key_column_usage k
        ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema
      WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema()
      ORDER BY k.table_name, k.ordinal_position`.execute(this.db);
    const byName = new Map<string, BackupTable>();
    for (const c of cols.rows) {
      if (NOT_BACKED_UP.has(c.table_name) || isBookkeeping(c.table_name)) continue;
      let t = byName.get(c.table_name);
      if (!t) byName.set(c.table_name, (t = { name: c.table_name, columns: [], key: [] }));
      t.columns.push({ name: c.column_name, kind: kindOf(c.data_type) });
    }
    for (const k of keys.rows) byName.get(k.table_name)?.key.push(k.column_name);
    return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /**
   * Runs `read` inside one read transaction (REPEATABLE READ on PostgreSQL, a read transaction
   * on SQLite in WAL mode): every table is seen as of one instant while writers carry on.
   */
  async snapshot<T>(
    read: (rows: SnapshotRows, inside: BackupRepository) => Promise<T>,
  ): Promise<T> {
    let tx = this.db.transaction();
    if (this.engine === 'postgres') tx = tx.setIsolationLevel('repeatable read');
    return tx.execute(async (trx) => {
      // SQLite fixes the snapshot at the first read: make that read happen now.
      await sql`SELECT 1 FROM system_keys LIMIT 1`.execute(trx);
      // Catalog reads go through the transaction too (SQLite has one connection per handle).
      return read(
        new SnapshotRows(trx as unknown as AnyDb),
        new BackupRepository(trx, this.engine),
      );
    });
  }

  /**
   * Up to `perType` current, not-deleted versions of every resource type, oldest owners first:
   * what `backup verify` decrypts to show each type opens.
   */
  async resourceSamples(perType: number): Promise<StoredVersion[]> {
    const types = await this.db
      .selectFrom('resource_heads')
      .select('resource_type')
      .distinct()
      .orderBy('resource_type')
      .execute();
    const out: StoredVersion[] = [];
    for (const { resource_type } of types) {
      const rows = await this.db
        .selectFrom('resource_heads as h')
        .innerJoin('resource_versions as v', (j) =>
          j
            .onRef('v.resource_type', '=', 'h.resource_type')
            .onRef('v.id', '=', 'h.id')
            .onRef('v.version', '=', 'h.version'),
        )
        .select(['v.resource_type', 'v.id', 'v.version', 'v.owner', 'v.last_updated', 'v.body'])
        .where('h.resource_type', '=', resource_type)
        .where('h.deleted', '=', 0)
        .orderBy('h.id')
        .limit(perType)
        .execute();
      for (const r of rows) {
        out.push({
          resourceType: r.resource_type,
          id: r.id,
          version: Number(r.version),
          owner: r.owner,
          lastUpdated: r.last_updated,
          deleted: false,
          body: Buffer.from(r.body),
        });
      }
    }
    return out;
  }

  /** Rows per table now (a restored database checked against its manifest). */
  async counts(tables: readonly BackupTable[]): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const t of tables) {
      const r = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(t.name)}`.execute(
        this.db,
      );
      out[t.name] = Number(r.rows[0]?.n ?? 0);
    }
    return out;
  }

  /** The first table that holds a row, or undefined when every backed-up table is empty. */
  async firstNonEmpty(tables: readonly BackupTable[]): Promise<string | undefined> {
    for (const t of tables) {
      // The first migration seeds an empty audit head (size 0): that is still an empty trail.
      const r =
        t.name === 'audit_head'
          ? await sql<{ n: number }>`SELECT 1 AS n FROM audit_head WHERE size > 0`.execute(this.db)
          : await sql<{ n: number }>`SELECT 1 AS n FROM ${sql.table(t.name)} LIMIT 1`.execute(
              this.db,
            );
      if (r.rows.length > 0) return t.name;
    }
    return undefined;
  }

  /**
   * Runs `fill` in one write transaction: a restore that fails at any point (a damaged chunk, a
   * manifest that does not match) leaves the target exactly as empty as it was.
   */
  async restoreAtomically<T>(fill: (sink: RestoreSink) => Promise<T>): Promise<T> {
    return writeTransaction(this.db, this.engine, async (trx) => {
      // The seeded empty head gives way to the backup's head.
      await trx.deleteFrom('audit_head').where('size', '=', 0).execute();
      return fill(new RestoreSink(trx as unknown as AnyDb));
    });
  }
}

function kindOf(type: string): BackupColumn['kind'] {
  const t = type.toLowerCase();
  if (t === 'blob' || t === 'bytea') return 'bytes';
  if (t === 'integer' || t === 'bigint' || t === 'smallint' || t === 'real') return 'integer';
  return 'text';
}

/** Rows of one snapshot, table by table, a page at a time: memory does not grow with a table. */
export class SnapshotRows {
  constructor(private readonly trx: AnyDb) {}

  async count(table: BackupTable): Promise<number> {
    const r = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table.name)}`.execute(
      this.trx,
    );
    return Number(r.rows[0]?.n ?? 0);
  }

  async *rows(table: BackupTable, pageSize: number): AsyncGenerator<BackupRow[]> {
    const names = table.columns.map((c) => c.name);
    const keyIdx = table.key.map((k) => names.indexOf(k));
    let after: BackupValue[] | undefined;
    for (;;) {
      let q = this.trx.selectFrom(table.name).select(names);
      if (after !== undefined) {
        const keyList = sql.join(table.key.map((k) => sql.ref(k)));
        const values = sql.join(after.map((v) => sql`${v}`));
        q = q.where(sql<boolean>`(${keyList}) > (${values})`);
      }
      for (const k of table.key) q = q.orderBy(k);
      const page = await q.limit(pageSize).execute();
      if (page.length === 0) return;
      const rows = page.map((r) => table.columns.map((c) => normalize(r[c.name], c.kind)));
      yield rows;
      if (page.length < pageSize || table.key.length === 0) return;
      const last = rows[rows.length - 1]!;
      after = keyIdx.map((i) => last[i]!);
    }
  }
}

function normalize(v: unknown, kind: BackupColumn['kind']): BackupValue {
  if (v === null || v === undefined) return null;
  if (kind === 'bytes') return Buffer.isBuffer(v) ? v : Buffer.from(v as Uint8Array);
  if (kind === 'integer') return Number(v);
  return typeof v === 'string' ? v : String(v);
}

/** Where a restore puts rows: inside the one transaction of `restoreAtomically`. */
export class RestoreSink {
  constructor(private readonly trx: AnyDb) {}

  async insert(table: BackupTable, rows: readonly BackupRow[]): Promise<void> {
    if (rows.length === 0) return;
    const values = rows.map((r) =>
      Object.fromEntries(table.columns.map((c, i) => [c.name, r[i] ?? null])),
    );
    await this.trx.insertInto(table.name).values(values).execute();
  }
}
