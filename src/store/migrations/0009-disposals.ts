import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * Patient records disposed of (issue 17 part 4, ADR 0029): one row per patient id, no PHI. It
 * outlives the record so that a disposed id is never silently refilled and so an operator can see
 * what was disposed, when, and by which two admins. The audit trail holds the same facts.
 *
 * resource_versions stays append-only with one exception: the versions of an owner with a
 * disposals row may be deleted (the disposal inserts that row first, in the same transaction).
 * Updates and TRUNCATE stay refused.
 */
export function disposalsMigration(engine: Engine) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('disposals')
        .addColumn('owner', 'text', (c) => c.primaryKey())
        .addColumn('disposed_at', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('approved_by', 'text', (c) => c.notNull())
        .addColumn('approval_id', 'text', (c) => c.notNull())
        // null: the retention period had passed; else the documented override used.
        .addColumn('override', 'text')
        .addColumn('resources', 'integer', (c) => c.notNull())
        .execute();
      if (engine === 'sqlite') {
        await sql`DROP TRIGGER resource_versions_no_delete`.execute(db);
        await sql`CREATE TRIGGER resource_versions_no_delete BEFORE DELETE ON resource_versions
          WHEN NOT EXISTS (SELECT 1 FROM disposals WHERE owner = OLD.owner)
          BEGIN SELECT RAISE(ABORT, 'append-only table'); END`.execute(db);
        return;
      }
      await sql`CREATE OR REPLACE FUNCTION haven_versions_delete_guard() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM disposals WHERE owner = OLD.owner) THEN RETURN OLD; END IF;
          RAISE EXCEPTION 'append-only table' USING ERRCODE = '42501';
        END $$`.execute(db);
      await sql`DROP TRIGGER resource_versions_no_change ON resource_versions`.execute(db);
      await sql`CREATE TRIGGER resource_versions_no_update BEFORE UPDATE ON resource_versions
        FOR EACH ROW EXECUTE FUNCTION haven_append_only()`.execute(db);
      await sql`CREATE TRIGGER resource_versions_no_delete BEFORE DELETE ON resource_versions
        FOR EACH ROW EXECUTE FUNCTION haven_versions_delete_guard()`.execute(db);
    },
  };
}
