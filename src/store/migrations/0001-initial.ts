import { sql, type Kysely } from 'kysely';
import {
  appendOnlyFunction,
  appendOnlyTriggers,
  auditTrailTriggers,
  bigintType,
  binaryType,
  runAll,
  type Engine,
} from '../engine.js';

/** The first schema: records, blind-index tokens, wrapped keys, API clients and the audit trail. */
export function initialMigration(engine: Engine) {
  const bin = binaryType(engine);
  const big = bigintType(engine);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('resource_versions')
        .addColumn('resource_type', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('last_updated', 'text', (c) => c.notNull())
        .addColumn('deleted', 'integer', (c) => c.notNull())
        .addColumn('body', bin, (c) => c.notNull())
        .addPrimaryKeyConstraint('resource_versions_pk', ['resource_type', 'id', 'version'])
        .execute();
      await db.schema
        .createTable('resource_heads')
        .addColumn('resource_type', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('last_updated', 'text', (c) => c.notNull())
        .addColumn('deleted', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('resource_heads_pk', ['resource_type', 'id'])
        .execute();
      await db.schema
        .createIndex('resource_heads_owner')
        .on('resource_heads')
        .columns(['owner', 'resource_type'])
        .execute();
      await db.schema
        .createTable('search_tokens')
        .addColumn('resource_type', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('token', bin, (c) => c.notNull())
        .addPrimaryKeyConstraint('search_tokens_pk', ['token', 'resource_type', 'id'])
        .$call((b) => (engine === 'sqlite' ? b.modifyEnd(sql`without rowid`) : b))
        .execute();
      await db.schema
        .createIndex('search_tokens_resource')
        .on('search_tokens')
        .columns(['resource_type', 'id'])
        .execute();
      await db.schema
        .createTable('data_keys')
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('kek_id', 'text', (c) => c.notNull())
        .addColumn('wrapped', bin, (c) => c.notNull())
        .addColumn('reserved', big, (c) => c.notNull())
        .addColumn('destroyed', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('data_keys_pk', ['owner', 'version'])
        .execute();
      await db.schema
        .createTable('system_keys')
        .addColumn('purpose', 'text', (c) => c.primaryKey())
        .addColumn('kek_id', 'text', (c) => c.notNull())
        .addColumn('wrapped', bin, (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('api_clients')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', bin, (c) => c.notNull().unique())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema
        .createTable('audit_entries')
        .addColumn('seq', big, (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor_type', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('resource_type', 'text')
        .addColumn('resource_id', 'text')
        .addColumn('resource_version', 'integer')
        .addColumn('patient_id', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('request_id', 'text')
        .addColumn('reason', 'text')
        .addColumn('detail', 'text')
        .addColumn('leaf_hash', bin, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('audit_entries_patient')
        .on('audit_entries')
        .columns(['patient_id', 'seq'])
        .execute();
      await db.schema
        .createTable('audit_head')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('size', big, (c) => c.notNull())
        .addColumn('frontier', bin, (c) => c.notNull())
        .addColumn('checkpoint_size', big, (c) => c.notNull())
        .addColumn('checkpoint_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('audit_checkpoints')
        .addColumn('size', big, (c) => c.primaryKey())
        .addColumn('root_hash', bin, (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      // The audit head is the single row every audit batch locks: it holds the tree size and
      // the Merkle frontier, so sequence numbers stay contiguous across processes.
      await sql`INSERT INTO audit_head (id, size, frontier, checkpoint_size, checkpoint_at)
        VALUES (1, 0, ${Buffer.alloc(0)}, 0, '1970-01-01T00:00:00.000Z')`.execute(db);
      await db.schema
        .createTable('audit_archives')
        .addColumn('up_to_seq', big, (c) => c.primaryKey())
        .addColumn('frontier', bin, (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      const fn = appendOnlyFunction(engine);
      if (fn) await fn.execute(db);
      await runAll(db, [
        ...auditTrailTriggers(engine),
        ...appendOnlyTriggers(engine, 'audit_checkpoints'),
        ...appendOnlyTriggers(engine, 'audit_archives'),
        ...appendOnlyTriggers(engine, 'resource_versions'),
      ]);
    },
  };
}
