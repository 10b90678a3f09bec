// A search by a rare blind-index token stays an index lookup, however the tokens are skewed
// (migration 0018). The store holds patients shaped like the bench's: 40 tokens shared with
// every patient of the same template (names, birth date, gender…) and one of their own (the
// identifier). With PostgreSQL's default 100 tracked common values the planner estimated a
// rare token at the shared tokens' frequency and read every resource head; this test reads the
// plan of the store's search query (ResourceRepository.findIds' shape) for a rare token.
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/store/index.js';
import { ENGINES, makeTarget, type EngineTarget } from '../support/engines.js';

const PATIENTS = 5000;
const TEMPLATES = 30;
const SHARED = 40;

describe.each(ENGINES)('search plan for a rare token on %s', (engine) => {
  let target: EngineTarget;
  let database: Database;

  beforeAll(async () => {
    target = await makeTarget(engine);
    database = await openDatabase({
      databaseUrl: target.databaseUrl,
      schema: target.schema,
      sqlitePath: path.join(target.dataDir, 'haven.db'),
    });
    const db = database.db;
    const at = new Date(0).toISOString();
    if (engine === 'postgres') {
      await sql`INSERT INTO resource_heads (resource_type, id, version, owner, last_updated, deleted)
        SELECT 'Patient', 'p' || i, 1, 'Patient/p' || i, ${at}, 0
        FROM generate_series(1, ${PATIENTS}::int) i`.execute(db);
      await sql`INSERT INTO search_tokens (resource_type, id, token)
        SELECT 'Patient', 'p' || i, decode(md5((i % ${TEMPLATES}) || '-' || k), 'hex')
        FROM generate_series(1, ${PATIENTS}::int) i, generate_series(1, ${SHARED}::int) k`.execute(
        db,
      );
      await sql`INSERT INTO search_tokens (resource_type, id, token)
        SELECT 'Patient', 'p' || i, decode(md5('id-' || i), 'hex')
        FROM generate_series(1, ${PATIENTS}::int) i`.execute(db);
      await sql`ANALYZE resource_heads, search_tokens`.execute(db);
    } else {
      const series = (n: number, col: string) =>
        sql.raw(
          `(WITH RECURSIVE s(${col}) AS (SELECT 1 UNION ALL SELECT ${col} + 1 FROM s WHERE ${col} < ${n}) SELECT ${col} FROM s)`,
        );
      await sql`INSERT INTO resource_heads (resource_type, id, version, owner, last_updated, deleted)
        SELECT 'Patient', 'p' || i, 1, 'Patient/p' || i, ${at}, 0 FROM ${series(PATIENTS, 'i')}`.execute(
        db,
      );
      await sql`INSERT INTO search_tokens (resource_type, id, token)
        SELECT 'Patient', 'p' || i, CAST(((i % ${TEMPLATES}) || '-' || k) AS BLOB)
        FROM ${series(PATIENTS, 'i')}, ${series(SHARED, 'k')}`.execute(db);
      await sql`INSERT INTO search_tokens (resource_type, id, token)
        SELECT 'Patient', 'p' || i, CAST(('id-' || i) AS BLOB) FROM ${series(PATIENTS, 'i')}`.execute(
        db,
      );
      await sql`ANALYZE`.execute(db);
    }
  }, 120_000);
  afterAll(async () => {
    await database?.close();
    await target?.cleanup();
  });

  it('looks the token up in its index and the head by its key, reading no other head', async () => {
    const rare =
      engine === 'postgres' ? sql`decode(md5('id-1234'), 'hex')` : sql`CAST('id-1234' AS BLOB)`;
    // The query ResourceRepository.findIds builds for one token set, with the search's limit.
    const query = sql`SELECT id FROM resource_heads WHERE resource_type = 'Patient' AND deleted = 0
      AND id IN (SELECT id FROM search_tokens WHERE resource_type = 'Patient' AND token IN (${rare}))
      ORDER BY id LIMIT 10001`;
    const found = await query.execute(database.db);
    expect(found.rows).toEqual([{ id: 'p1234' }]);
    if (engine === 'postgres') {
      const plan = await sql<{ 'QUERY PLAN': string }>`EXPLAIN ${query}`.execute(database.db);
      const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(text).not.toMatch(/Seq Scan/);
      expect(text).toMatch(/Index (Only )?Scan using search_tokens_pk/);
      expect(text).toMatch(/Index Scan using resource_heads_pk/);
    } else {
      const plan = await sql<{ detail: string }>`EXPLAIN QUERY PLAN ${query}`.execute(database.db);
      const text = plan.rows.map((r) => r.detail).join('\n');
      expect(text).not.toMatch(/SCAN resource_heads/);
      expect(text).toMatch(/SEARCH search_tokens/);
    }
  });
});
