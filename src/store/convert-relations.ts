import { sql, type Kysely } from 'kysely';
import { BreakGlassRepository } from './break-glass-repository.js';
import { CareRelationRepository, type CareRelationKind } from './care-relation-repository.js';
import type { Engine } from './engine.js';
import { LEGACY_GRANTS, LEGACY_RELATIONS } from './migrations/0004-sealed-relations.js';
import type { RelationCipher } from './relation-cipher.js';
import type { HavenDatabase } from './schema.js';

type Db = Kysely<HavenDatabase>;

interface LegacyRelation {
  source_type: string;
  source_id: string;
  kind: string;
  practitioner: string;
  patient: string;
}

interface LegacyGrant {
  id: string;
  user_id: string;
  patient: string;
  reason_sealed: Buffer;
  created_at: string;
  expires_at: string;
  ended_at: string | null;
  ended_by: string | null;
}

/**
 * The second half of migration 0004, which needs keys: moves the plaintext rows of the 0003
 * tables into the keyed, sealed ones and drops the old tables, in one transaction. Relations
 * made before authorities were recorded are marked 'legacy' (they keep granting access: a
 * clinic's care teams must survive an upgrade). Idempotent, and safe when two processes start
 * at once (the loser inserts nothing new and finds the tables gone or going).
 */
export async function convertLegacyRelations(
  db: Db,
  engine: Engine,
  cipher: RelationCipher,
  at: string,
): Promise<{ relations: number; grants: number }> {
  const out = { relations: 0, grants: 0 };
  if (!(await exists(db, engine, LEGACY_RELATIONS)) && !(await exists(db, engine, LEGACY_GRANTS)))
    return out;
  try {
    await convert(db, engine, cipher, at, out);
  } catch (e) {
    // Another process (a worker starting at the same time) converted first: SQLite refuses the
    // loser's stale snapshot. Done if the old tables are gone; anything else is a real failure.
    if (await exists(db, engine, LEGACY_RELATIONS)) throw e;
    if (await exists(db, engine, LEGACY_GRANTS)) throw e;
  }
  return out;
}

async function convert(
  db: Db,
  engine: Engine,
  cipher: RelationCipher,
  at: string,
  out: { relations: number; grants: number },
): Promise<void> {
  const relations = new CareRelationRepository(db, cipher);
  const grants = new BreakGlassRepository(db, cipher);
  await db.transaction().execute(async (trx) => {
    // One converter at a time; the next one finds the tables gone below. SQLite: a write as the
    // first statement takes the write lock before any read (waiting on busy_timeout), so no
    // converter upgrades a stale read snapshot. PostgreSQL: an advisory lock for the transaction.
    if (engine === 'postgres')
      await sql`SELECT pg_advisory_xact_lock(hashtext('haven:convert-relations'))`.execute(trx);
    else await sql`DELETE FROM care_relations WHERE 0 = 1`.execute(trx);
    if (await exists(trx, engine, LEGACY_RELATIONS)) {
      const rows =
        await sql<LegacyRelation>`SELECT source_type, source_id, kind, practitioner, patient FROM ${sql.table(LEGACY_RELATIONS)}`.execute(
          trx,
        );
      for (const r of rows.rows) {
        const e = relations.encode(
          r.source_type,
          r.source_id,
          [{ kind: r.kind as CareRelationKind, practitioner: r.practitioner, patient: r.patient }],
          { authority: undefined, by: '', byKind: 'user', at },
        );
        for (const row of e.rows)
          await trx
            .insertInto('care_relations')
            .values({
              source_key: e.sourceKey,
              kind: row.kind,
              practitioner_key: row.practitionerKey,
              patient_key: row.patientKey,
              sealed: row.sealed,
              authority: 'legacy',
              created_by: null,
              created_by_kind: null,
              created_at: at,
            })
            .onConflict((oc) => oc.doNothing())
            .execute();
      }
      out.relations = rows.rows.length;
      await sql`DROP TABLE ${sql.table(LEGACY_RELATIONS)}`.execute(trx);
    }
    if (await exists(trx, engine, LEGACY_GRANTS)) {
      const rows = await sql<LegacyGrant>`SELECT * FROM ${sql.table(LEGACY_GRANTS)}`.execute(trx);
      for (const r of rows.rows)
        await trx
          .insertInto('break_glass_grants')
          .values({
            id: r.id,
            user_id: r.user_id,
            ...grants.patientColumns(r.id, r.patient),
            reason_sealed: Buffer.from(r.reason_sealed),
            created_at: r.created_at,
            expires_at: r.expires_at,
            ended_at: r.ended_at,
            ended_by: r.ended_by,
          })
          .onConflict((oc) => oc.doNothing())
          .execute();
      out.grants = rows.rows.length;
      await sql`DROP TABLE ${sql.table(LEGACY_GRANTS)}`.execute(trx);
    }
  });
}

/** Whether a table exists where unqualified names resolve (PostgreSQL: the search path). */
async function exists(db: Db, engine: Engine, table: string): Promise<boolean> {
  if (engine === 'sqlite') {
    const r = await sql<{
      n: number;
    }>`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ${table}`.execute(
      db,
    );
    return Number(r.rows[0]?.n ?? 0) > 0;
  }
  const r = await sql<{ t: string | null }>`SELECT to_regclass(${table})::text AS t`.execute(db);
  return r.rows[0]?.t != null;
}
