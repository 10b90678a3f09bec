import type { Kysely } from 'kysely';

/**
 * Short named leases (issue 20, ADR 0033): work that must run in one server process at a time
 * across `serve --workers N` and several instances, such as a conditional create's search and
 * write. A row names the work, never its data; an expired lease may be taken over, so a process
 * that died holding one blocks nobody for longer than its term. Not carried by backups.
 */
export function leasesMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
