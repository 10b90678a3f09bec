/**
 * Filler patients for `npm run bench:scale` (issue 19, target 4): rows shaped like a sealed
 * Patient's — a head, one version whose body is random bytes of the real bodies' mean size, a
 * wrapped data key of the real length, and `tokensPerPatient` random blind-index tokens of the
 * real length — written by the database itself (a recursive CTE on SQLite, generate_series on
 * PostgreSQL), so a million cost a minute or two instead of the hours the sealing path takes.
 *
 * Nothing reads a filler row's content: they are there to make every table and index the read
 * and search paths touch as deep as a 1,000,000-patient clinic's. Random bodies and tokens keep
 * the pages as incompressible and the keys as scattered as real ciphertext and HMACs. Left out:
 * audit entries (appends at the end of the trail whatever its length; a filler trail would not
 * verify) and the full 77 tokens a patient has (see docs/performance.md, "Latency as the store
 * grows").
 */
import { sql, type Kysely } from 'kysely';

export interface FillerShape {
  bodyBytes: number;
  tokenBytes: number;
  wrappedBytes: number;
  kekId: string;
  tokensPerPatient: number;
}

/** Measures the real rows, so the filler's sizes follow what the seeder wrote. */
export async function realShape(
  db: Kysely<unknown>,
  tokensPerPatient: number,
): Promise<FillerShape> {
  const body = await sql<{ n: number }>`SELECT avg(length(body)) AS n FROM resource_versions
    WHERE resource_type = 'Patient'`.execute(db);
  const token = await sql<{ n: number }>`SELECT avg(length(token)) AS n FROM search_tokens`.execute(
    db,
  );
  const key = await sql<{ n: number; kek: string }>`SELECT avg(length(wrapped)) AS n,
    max(kek_id) AS kek FROM data_keys WHERE owner LIKE 'Patient/%'`.execute(db);
  return {
    bodyBytes: Math.round(Number(body.rows[0]!.n)),
    tokenBytes: Math.round(Number(token.rows[0]!.n)),
    wrappedBytes: Math.round(Number(key.rows[0]!.n)),
    kekId: key.rows[0]!.kek,
    tokensPerPatient,
  };
}

/** Adds `count` filler patients in transactions of `chunk`, reporting progress after each. */
export async function addFiller(
  db: Kysely<unknown>,
  engine: 'sqlite' | 'postgres',
  count: number,
  shape: FillerShape,
  onProgress: (done: number) => void,
  chunk = 100_000,
): Promise<void> {
  const at = new Date().toISOString();
  for (let done = 0; done < count; done += chunk) {
    const n = Math.min(chunk, count - done);
    await db.transaction().execute(async (trx) => {
      if (engine === 'sqlite') await sqliteChunk(trx, n, shape, at);
      else await postgresChunk(trx, n, shape, at);
    });
    onProgress(done + n);
  }
  await analyze(db, engine);
}

/**
 * Fresh planner statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` would have by the
 * time a clinic had grown this large; run before every measurement so both sizes are alike.
 */
export async function analyze(db: Kysely<unknown>, engine: 'sqlite' | 'postgres'): Promise<void> {
  if (engine === 'postgres')
    await sql`ANALYZE resource_heads, resource_versions, search_tokens, data_keys`.execute(db);
  else await sql`ANALYZE`.execute(db);
}

async function sqliteChunk(db: Kysely<unknown>, n: number, s: FillerShape, at: string) {
  await sql`DROP TABLE IF EXISTS temp.filler`.execute(db);
  await sql`CREATE TEMP TABLE filler AS WITH RECURSIVE k(i) AS
    (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ${n})
    SELECT lower(hex(randomblob(16))) AS id FROM k`.execute(db);
  await sql`INSERT INTO resource_heads (resource_type, id, version, owner, last_updated, deleted)
    SELECT 'Patient', id, 1, 'Patient/' || id, ${at}, 0 FROM filler`.execute(db);
  await sql`INSERT INTO resource_versions
    (resource_type, id, version, owner, last_updated, deleted, body)
    SELECT 'Patient', id, 1, 'Patient/' || id, ${at}, 0, randomblob(${s.bodyBytes})
    FROM filler`.execute(db);
  await sql`INSERT INTO data_keys (owner, version, kek_id, wrapped, reserved, destroyed, created_at)
    SELECT 'Patient/' || id, 1, ${s.kekId}, randomblob(${s.wrappedBytes}), 1, 0, ${at}
    FROM filler`.execute(db);
  await sql`INSERT INTO search_tokens (resource_type, id, token)
    SELECT 'Patient', f.id, randomblob(${s.tokenBytes}) FROM filler f,
    (WITH RECURSIVE k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j < ${s.tokensPerPatient})
     SELECT j FROM k)`.execute(db);
  await sql`DROP TABLE temp.filler`.execute(db);
}

/**
 * `bytes` random bytes per row on PostgreSQL (which has no randomblob): independent md5 blocks
 * of `random()`, so a long value does not repeat itself and compress away.
 */
const randomBytesSql = (bytes: number) => {
  const blocks = Array.from({ length: Math.ceil(bytes / 16) }, () => 'md5(random()::text)');
  return sql.raw(`substring(decode(${blocks.join(' || ')}, 'hex') from 1 for ${bytes})`);
};

async function postgresChunk(db: Kysely<unknown>, n: number, s: FillerShape, at: string) {
  await sql`CREATE TEMP TABLE filler ON COMMIT DROP AS
    SELECT gen_random_uuid()::text AS id FROM generate_series(1, ${n}::int)`.execute(db);
  await sql`INSERT INTO resource_heads (resource_type, id, version, owner, last_updated, deleted)
    SELECT 'Patient', id, 1, 'Patient/' || id, ${at}, 0 FROM filler`.execute(db);
  await sql`INSERT INTO resource_versions
    (resource_type, id, version, owner, last_updated, deleted, body)
    SELECT 'Patient', id, 1, 'Patient/' || id, ${at}, 0, ${randomBytesSql(s.bodyBytes)}
    FROM filler`.execute(db);
  await sql`INSERT INTO data_keys (owner, version, kek_id, wrapped, reserved, destroyed, created_at)
    SELECT 'Patient/' || id, 1, ${s.kekId}, ${randomBytesSql(s.wrappedBytes)}, 1, 0, ${at}
    FROM filler`.execute(db);
  await sql`INSERT INTO search_tokens (resource_type, id, token)
    SELECT 'Patient', f.id, ${randomBytesSql(s.tokenBytes)}
    FROM filler f, generate_series(1, ${s.tokensPerPatient}::int)`.execute(db);
}
