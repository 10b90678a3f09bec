import type { Kysely } from 'kysely';

/**
 * Stored security alerts (issue 18 part 1, ADR 0030). Ids only: the person, the patient and a
 * Haven reference (grant, approval, keyed address hash); never a name or a reason. `dedup_key`
 * (rule, subject and the de-duplication window it falls in) is unique, so parallel entries that
 * raise the same alert update one row instead of adding two.
 */
export function alertsMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('alerts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('dedup_key', 'text', (c) => c.notNull().unique())
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('patient_id', 'text')
        .addColumn('ref', 'text')
        .addColumn('first_seen', 'text', (c) => c.notNull())
        .addColumn('last_seen', 'text', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('ack_by', 'text')
        .addColumn('ack_at', 'text')
        .addColumn('ack_comment', 'text')
        .execute();
      await db.schema
        .createIndex('alerts_by_time')
        .on('alerts')
        .columns(['status', 'last_seen'])
        .execute();
    },
  };
}
