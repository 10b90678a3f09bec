import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
  type SqliteDialectConfig,
} from 'kysely';
import pg from 'pg';
import type { Engine } from './engine.js';
import { migrationProvider } from './migrations/index.js';
import type { HavenDatabase } from './schema.js';

export interface DatabaseOptions {
  /** postgres://… for PostgreSQL; undefined for SQLite at sqlitePath. */
  databaseUrl: string | undefined;
  /** PostgreSQL schema (created if missing). */
  schema?: string | undefined;
  sqlitePath: string;
  poolSize?: number;
  /**
   * False for every command but `init` and `serve`: an absent database, schema or Haven tables
   * are refused (StoreError 'not-installed') and nothing is created — no file, no schema.
   */
  create?: boolean;
}

export interface Database {
  readonly engine: Engine;
  readonly db: Kysely<HavenDatabase>;
  close(): Promise<void>;
}

export class StoreError extends Error {
  constructor(
    readonly code: 'store-unavailable' | 'migration-failed' | 'not-installed',
    message: string,
  ) {
    super(message);
  }
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Opens the database and brings its schema up to date. */
export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  const create = opts.create !== false;
  if (!create && !opts.databaseUrl && !fs.existsSync(opts.sqlitePath)) {
    throw new StoreError('not-installed', `no Haven database at ${opts.sqlitePath}`);
  }
  const database = opts.databaseUrl
    ? await openPostgres(opts, create)
    : openSqlite(opts.sqlitePath, create);
  if (!create && !(await holdsHaven(database))) {
    await database.close();
    throw new StoreError(
      'not-installed',
      opts.databaseUrl
        ? `no Haven installation in ${describeDatabase(opts.databaseUrl, opts.schema)}`
        : `no Haven installation in ${opts.sqlitePath}`,
    );
  }
  const migrator = new Migrator({
    db: database.db,
    provider: migrationProvider(database.engine),
    // Kysely looks for its bookkeeping tables across all schemas; pin them to ours so that
    // several Haven schemas in one PostgreSQL database (tests, tenants) never confuse each other.
    ...(database.engine === 'postgres' && opts.schema ? { migrationTableSchema: opts.schema } : {}),
  });
  const error = await migrateWithRetry(() => migrator.migrateToLatest());
  if (error) {
    await database.close();
    throw new StoreError('migration-failed', `database migration failed: ${String(error)}`);
  }
  return database;
}

/**
 * Kysely's migrator introspects the catalogs of every schema in the database; a schema dropped
 * by someone else at that moment (another tenant, a parallel test run) makes that scan fail
 * transiently. Such failures are retried a few times; real migration errors repeat and surface.
 */
async function migrateWithRetry(run: () => Promise<{ error?: unknown }>): Promise<unknown> {
  let last: unknown;
  for (let attempt = 0; attempt < 4; attempt++) {
    const { error } = await run();
    if (!error) return undefined;
    last = error;
    if (!/does not exist/.test(String(error))) return error;
    await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
  }
  return last;
}

/** A Haven installation has its key table (created by the first migration, filled by init). */
async function holdsHaven(database: Database): Promise<boolean> {
  const found =
    database.engine === 'sqlite'
      ? await sql<{ n: number }>`SELECT 1 AS n FROM sqlite_master
          WHERE type = 'table' AND name = 'system_keys'`.execute(database.db)
      : await sql<{ n: number }>`SELECT 1 AS n FROM information_schema.tables
          WHERE table_schema = current_schema() AND table_name = 'system_keys'`.execute(
          database.db,
        );
  return found.rows.length > 0;
}

/** The database URL without its password (and the schema), for messages to the operator. */
export function describeDatabase(databaseUrl: string, schema?: string): string {
  let shown: string;
  try {
    const url = new URL(databaseUrl);
    url.password = '';
    url.search = '';
    shown = url.toString();
  } catch {
    shown = 'the configured PostgreSQL database (its URL does not parse)';
  }
  return schema ? `${shown} (schema ${schema})` : shown;
}

function openSqlite(file: string, create: boolean): Database {
  if (create) fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const sqlite = new SqliteDatabase(file, { fileMustExist: !create });
  // WAL for concurrent readers; FULL so a commit is durable when it returns (group commit
  // keeps that affordable); temp_store in memory so sorting never spills to temp files.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('temp_store = MEMORY');
  sqlite.pragma('secure_delete = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('wal_autocheckpoint = 20000');
  fs.chmodSync(file, 0o600);
  const db = new Kysely<HavenDatabase>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  });
  return { engine: 'sqlite', db, close: () => db.destroy() };
}

/**
 * Kysely's SQLite driver prepares every query anew; parsing and planning the same few statements
 * on every request is most of their cost. Statements are cached by SQL text (bounded, since IN
 * lists of varying length produce distinct texts).
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDialectConfig['database'] {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => {
      sqlite.close();
    },
    prepare: (text: string) => {
      let stmt = cache.get(text);
      if (!stmt) {
        stmt = sqlite.prepare(text);
        if (cache.size < 1000) cache.set(text, stmt);
      }
      return stmt as unknown as ReturnType<SqliteDatabase.Database['prepare']>;
    },
  } as SqliteDialectConfig['database'];
}

async function openPostgres(opts: DatabaseOptions, create: boolean): Promise<Database> {
  const schema = opts.schema;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new StoreError('store-unavailable', 'database schema name must match [a-z_][a-z0-9_]*');
  }
  const pool = new pg.Pool({
    connectionString: opts.databaseUrl,
    max: opts.poolSize ?? 10,
    // int8 (counts, sequence numbers) as JS numbers: they stay far below 2^53.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === 20
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format as 'text')) as never,
    },
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const db = new Kysely<HavenDatabase>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`SELECT 1`.execute(db);
  } catch (e) {
    await db.destroy();
    throw new StoreError(
      'store-unavailable',
      `cannot connect to PostgreSQL at ${describeDatabase(opts.databaseUrl!)}: ${connectionProblem(e)}`,
    );
  }
  try {
    if (schema && create) await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db);
  } catch {
    await db.destroy();
    throw new StoreError(
      'store-unavailable',
      `cannot create schema ${schema} in ${describeDatabase(opts.databaseUrl!)}`,
    );
  }
  return { engine: 'postgres', db, close: () => db.destroy() };
}

/** Why a connection failed, from the driver's codes (its messages are not passed on whole). */
function connectionProblem(e: unknown): string {
  const code = String((e as { code?: unknown }).code ?? '');
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (is PostgreSQL running and listening there?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case '3D000':
      return 'the database does not exist (create it first, e.g. createdb)';
    case '28P01':
    case '28000':
      return 'authentication failed';
    default:
      return code ? `error ${code}` : 'connection failed';
  }
}
