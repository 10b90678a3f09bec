import type { Kysely } from 'kysely';

/**
 * Security incidents and breach assessments (issue 18, ADR 0031). A row holds no PHI: the
 * description is checked for PHI before it is stored, the affected individuals are kept as the
 * audit-trail query that finds them plus counts (per state), and notice letters are drafted on
 * demand with placeholders, never stored. `version` makes every update a compare-and-set.
 */
export function incidentsMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('incidents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('discovered_at', 'text', (c) => c.notNull())
        .addColumn('record', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
