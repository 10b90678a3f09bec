import type { Kysely } from 'kysely';
import { binaryType, type Engine } from '../engine.js';

/**
 * Two-person rule for account changes that reach PHI (issue 13, item 4): a pending change waits
 * here until a second admin approves it or it expires. The change itself (email, roles, links)
 * is sealed with the user-data key; only ids and times are in clear.
 */
export function approvalsMigration(engine: Engine) {
  const bin = binaryType(engine);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('admin_approvals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        // The account created or changed (for a creation, the id it will have).
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('payload_sealed', bin, (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('requested_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'text')
        .execute();
      await db.schema
        .createIndex('admin_approvals_open')
        .on('admin_approvals')
        .columns(['decided_at', 'expires_at'])
        .execute();
    },
  };
}
