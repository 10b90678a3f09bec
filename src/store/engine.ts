import { sql, type Kysely, type RawBuilder } from 'kysely';

/**
 * Everything that differs between SQLite and PostgreSQL lives here, so that nothing above the
 * store branches on the database engine.
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
