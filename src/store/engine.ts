import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { HavenDatabase } from './schema.js';

/**
 * The SQL that differs between SQLite and PostgreSQL lives here (the connection setup in
 * open-database.ts and the snapshot isolation in audit-repository.ts are the other two places),
 * so that nothing above the store branches on the database engine.
 */
export type Engine = 'sqlite' | 'postgres';

export function binaryType(engine: Engine): 'blob' | 'bytea' {
  return engine === 'sqlite' ? 'blob' : 'bytea';
}

export function bigintType(engine: Engine): 'integer' | 'bigint' {
  return engine === 'sqlite' ? 'integer' : 'bigint';
}

/**
 * Database-level append-only enforcement. The cryptographic chain detects tampering; these
 * triggers make the honest path impossible to misuse and force an attacker to drop them first.
 */
export function appendOnlyTriggers(engine: Engine, table: string): RawBuilder<unknown>[] {
  const t = sql.id(table);
  if (engine === 'sqlite') {
    return [
      sql`CREATE TRIGGER ${sql.id(`${table}_no_update`)} BEFORE UPDATE ON ${t}
          BEGIN SELECT RAISE(ABORT, 'append-only table'); END`,
      sql`CREATE TRIGGER ${sql.id(`${table}_no_delete`)} BEFORE DELETE ON ${t}
          BEGIN SELECT RAISE(ABORT, 'append-only table'); END`,
    ];
  }
  return [
    sql`CREATE TRIGGER ${sql.id(`${table}_no_change`)} BEFORE UPDATE OR DELETE ON ${t}
        FOR EACH ROW EXECUTE FUNCTION haven_append_only()`,
    sql`CREATE TRIGGER ${sql.id(`${table}_no_truncate`)} BEFORE TRUNCATE ON ${t}
        FOR EACH STATEMENT EXECUTE FUNCTION haven_append_only()`,
  ];
}

/**
 * The audit trail is append-only too, with one exception: entries below the newest signed
 * archive mark (older than the six-year retention, exported and signed first) may be deleted.
 */
export function auditTrailTriggers(engine: Engine): RawBuilder<unknown>[] {
  if (engine === 'sqlite') {
    return [
      sql`CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
          BEGIN SELECT RAISE(ABORT, 'append-only table'); END`,
      sql`CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
          WHEN OLD.seq >= COALESCE((SELECT MAX(up_to_seq) FROM audit_archives), 0)
          BEGIN SELECT RAISE(ABORT, 'append-only table'); END`,
    ];
  }
  return [
    sql`CREATE OR REPLACE FUNCTION haven_audit_delete_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.seq < COALESCE((SELECT MAX(up_to_seq) FROM audit_archives), 0) THEN RETURN OLD; END IF;
        RAISE EXCEPTION 'append-only table' USING ERRCODE = '42501';
      END $$`,
    sql`CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
        FOR EACH ROW EXECUTE FUNCTION haven_append_only()`,
    sql`CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
        FOR EACH ROW EXECUTE FUNCTION haven_audit_delete_guard()`,
    sql`CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
        FOR EACH STATEMENT EXECUTE FUNCTION haven_append_only()`,
  ];
}

export function appendOnlyFunction(engine: Engine): RawBuilder<unknown> | undefined {
  if (engine === 'sqlite') return undefined;
  return sql`CREATE OR REPLACE FUNCTION haven_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'append-only table' USING ERRCODE = '42501'; END $$`;
}

/** Locks the audit head row for the rest of the transaction (PostgreSQL); SQLite has one writer. */
export function forUpdate(engine: Engine): boolean {
  return engine === 'postgres';
}

export async function runAll(
  db: Kysely<unknown>,
  statements: RawBuilder<unknown>[],
): Promise<void> {
  for (const s of statements) await s.execute(db);
}

/**
 * A write transaction. SQLite takes the write lock up front (BEGIN IMMEDIATE): with several
 * server processes on one file, a deferred transaction that read first could not upgrade its
 * lock and would fail instead of waiting its turn. PostgreSQL locks rows as it goes.
 */
export async function writeTransaction<T>(
  db: Kysely<HavenDatabase>,
  engine: Engine,
  fn: (trx: Kysely<HavenDatabase>) => Promise<T>,
): Promise<T> {
  if (engine === 'postgres') return db.transaction().execute(fn);
  return db.connection().execute(async (conn) => {
    await sql.raw('BEGIN IMMEDIATE').execute(conn);
    try {
      const result = await fn(conn);
      await sql.raw('COMMIT').execute(conn);
      return result;
    } catch (e) {
      await sql
        .raw('ROLLBACK')
        .execute(conn)
        .catch(() => undefined);
      throw e;
    }
  });
}
