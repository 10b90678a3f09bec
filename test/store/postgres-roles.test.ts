import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/store/index.js';
import { makeTarget, TEST_DATABASE_URL, type EngineTarget } from '../support/engines.js';

const ROLES_SQL = path.resolve(import.meta.dirname, '../../docs/operations/postgresql-roles.sql');

/** The documented role setup really leaves the application unable to rewrite history. */
describe('PostgreSQL application role', () => {
  let target: EngineTarget;
  let database: Database;
  let client: pg.Client;

  beforeAll(async () => {
    target = await makeTarget('postgres');
    database = await openDatabase({
      databaseUrl: target.databaseUrl,
      schema: target.schema,
      sqlitePath: '',
    });
    client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    const text = fs.readFileSync(ROLES_SQL, 'utf8').replaceAll(':"schema"', `"${target.schema}"`);
    await client.query(text);
    await client.query(
      `INSERT INTO "${target.schema}".audit_entries (seq, at, actor_type, action, outcome, leaf_hash) VALUES (0, 'now', 'system', 'test', 'success', '\\x00')`,
    );
    await client.query('SET ROLE haven_app');
    await client.query(`SET search_path = "${target.schema}"`);
  });
  afterAll(async () => {
    await client.query('RESET ROLE');
    await client.end();
    await database.close();
    await target.cleanup();
  });

  it('may append to the audit trail', async () => {
    await client.query(
      `INSERT INTO audit_entries (seq, at, actor_type, action, outcome, leaf_hash) VALUES (1, 'now', 'system', 'test', 'success', '\\x00')`,
    );
    expect((await client.query('SELECT count(*)::int AS n FROM audit_entries')).rows[0].n).toBe(2);
  });

  it('revokes an API client, which raises the cache counter it may only read (ADR 0037)', async () => {
    const epoch = async () =>
      Number((await client.query('SELECT epoch FROM cache_epoch WHERE id = 1')).rows[0].epoch);
    const before = await epoch();
    await client.query(
      `INSERT INTO api_clients (id, name, token_hash, scopes, created_at) VALUES ('c1', 'c', '\\x01', 'system/*.r', 'now')`,
    );
    await client.query(`UPDATE api_clients SET revoked_at = 'now' WHERE id = 'c1'`);
    expect(await epoch()).toBe(before + 1);
    await expect(client.query('UPDATE cache_epoch SET epoch = 0')).rejects.toThrow(
      /permission denied/,
    );
  });

  it.each([
    ['UPDATE audit_entries SET outcome = $$x$$', /permission denied/],
    ['DELETE FROM audit_entries', /permission denied/],
    ['TRUNCATE audit_entries', /permission denied/],
    ['UPDATE resource_versions SET owner = $$x$$', /permission denied/],
    ['DELETE FROM audit_checkpoints', /permission denied/],
    ['ALTER TABLE audit_entries DISABLE TRIGGER USER', /must be owner/],
  ])('is refused: %s', async (statement, error) => {
    await expect(client.query(statement)).rejects.toThrow(error);
  });
});
