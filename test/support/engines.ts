import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * Every storage and API test runs once per engine: embedded SQLite and real PostgreSQL.
 * Each PostgreSQL run gets its own schema, dropped afterwards.
 */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface EngineTarget {
  engine: 'sqlite' | 'postgres';
  /** Data directory (always a fresh temp dir: keyring, TLS and SQLite live here). */
  dataDir: string;
  databaseUrl: string | undefined;
  schema: string | undefined;
  cleanup(): Promise<void>;
}

export const ENGINES = ['sqlite', 'postgres'] as const;

export async function makeTarget(engine: 'sqlite' | 'postgres'): Promise<EngineTarget> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-test-'));
  if (engine === 'sqlite') {
    return {
      engine,
      dataDir,
      databaseUrl: undefined,
      schema: undefined,
      cleanup: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const schema = testSchemaName();
  return {
    engine,
    dataDir,
    databaseUrl: TEST_DATABASE_URL,
    schema,
    cleanup: async () => {
      await dropSchema(schema);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh schema name carrying this run's id (set by test/global-setup.ts), so the run's
 * teardown can find and drop whatever a test left behind without touching other runs' schemas.
 */
export function testSchemaName(): string {
  const run = /^[0-9a-f]{8}$/.test(process.env.HAVEN_TEST_RUN ?? '')
    ? process.env.HAVEN_TEST_RUN
    : 'x';
  return `haven_t_${run}_${crypto.randomBytes(6).toString('hex')}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
