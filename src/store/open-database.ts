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
import type { Engine } from './engine.js';
import { migrationProvider } from './migrations/index.js';
import { createPostgresPool } from './postgres-pool.js';
import type { HavenDatabase } from './schema.js';
import { StoreError } from './store-error.js';

export { StoreError } from './store-error.js';

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
  /** PostgreSQL: most callers waiting for a connection at once (default 8 × poolSize). */
  poolMaxWaiting?: number;
  /** PostgreSQL: how long a caller may wait for a connection, in ms (default 5000). */
  connectTimeoutMs?: number;
  /** PostgreSQL: told the code of each connection lost (a restart, a terminated backend). */
  onConnectionError?: (code: string) => void;
}

export interface Database {
  readonly engine: Engine;
  readonly db: Kysely<HavenDatabase>;
  /**
   * For the group-commit writer only. On PostgreSQL its own one-connection pool, so the audit
   * trail's batch never waits in line (or is refused) behind the requests it has to audit: with
   * one shared pool, a burst of reads holding every connection starved the very batch that would
   * let them answer. On SQLite the same handle as `db` (one file, one writer anyway).
   */
  readonly writeDb: Kysely<HavenDatabase>;
  close(): Promise<void>;
}

/** SQLite's own default interval: ~4 MiB of 4 KiB pages between automatic checkpoints. */
const WAL_AUTOCHECKPOINT_PAGES = 1000;
const WAL_SIZE_LIMIT_BYTES = 4 * 1024 * 1024;

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
  // A small write-ahead log (ADR 0017-sqlite-wal): checkpoint every 1000 pages (~4 MiB) and
  // truncate the file back to 4 MiB whenever the log restarts, so that after a disk-full event a
  // few MiB of free space let the server fold the log into the database and carry on. The former
  // 20000 pages let it reach ~80 MiB, all of which had to be checkpointed (and found room for)
  // before the space came back.
  sqlite.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  sqlite.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  // A log left large by a crash or an older version is folded in and given back at start-up;
  // if other processes hold it (several workers) or the disk is full, this waits for next time.
  try {
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
  } catch {
    // not fatal: the automatic checkpoints catch up
  }
  fs.chmodSync(file, 0o600);
  const db = new Kysely<HavenDatabase>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  });
  return { engine: 'sqlite', db, writeDb: db, close: () => db.destroy() };
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
  const size = opts.poolSize ?? 10;
  const pool = (poolSize: number, maxWaiting: number) =>
    new Kysely<HavenDatabase>({
      dialect: new PostgresDialect({
        pool: createPostgresPool({
          connectionString: opts.databaseUrl,
          schema,
          size: poolSize,
          maxWaiting,
          connectTimeoutMs: opts.connectTimeoutMs ?? 5000,
          onConnectionError: opts.onConnectionError ?? (() => {}),
        }).dialectPool,
      }),
    });
  const db = pool(size, opts.poolMaxWaiting ?? size * 8);
  // One batch at a time per process: one connection, and nobody else waits for it.
  const writeDb = pool(1, 4);
  const close = async () => {
    await Promise.all([db.destroy(), writeDb.destroy()]);
  };
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
    await close();
    throw new StoreError(
      'store-unavailable',
      `cannot create schema ${schema} in ${describeDatabase(opts.databaseUrl!)}`,
    );
  }
  return { engine: 'postgres', db, writeDb, close };
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
