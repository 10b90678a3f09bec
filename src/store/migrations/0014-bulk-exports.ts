import type { Kysely } from 'kysely';

/**
 * Bulk Data exports (issue 20 part 4, ADR 0036): one row per `$export` job. The row holds no
 * PHI: who asked (a principal id), the state, the times, and `record`, PHI-free JSON owned by
 * src/bulk (the request's resource types and `_since`, the files' names and counts, an error
 * code, and the export's data key wrapped under the KEK). The NDJSON files live on disk,
 * encrypted; `version` makes every state change a compare-and-set.
 */
export function bulkExportsMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('bulk_exports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('caller', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('record', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('bulk_exports_caller')
        .on('bulk_exports')
        .columns(['caller', 'status'])
        .execute();
    },
  };
}
