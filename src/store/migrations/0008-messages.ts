import type { Kysely } from 'kysely';
import { binaryType, type Engine } from '../engine.js';

/**
 * Secure messaging (issue 16, part 4; ADR 0028). The messages themselves are FHIR Communication
 * resources in the ordinary sealed store; these two tables only order them and record who read
 * what. Nothing here is PHI in clear: ids, a per-thread sequence number, times, and the thread's
 * patient as a blind-index key (like care relations), never the patient id or any text.
 */
export function messagesMigration(engine: Engine) {
  const bin = binaryType(engine);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('messages')
        // The Communication id.
        .addColumn('id', 'text', (c) => c.primaryKey())
        // The thread's first Communication; a message starting a thread is its own thread.
        .addColumn('thread_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('patient_key', bin, (c) => c.notNull())
        .addColumn('sender_id', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('messages_thread_seq', ['thread_id', 'seq'])
        .execute();
      await db.schema
        .createIndex('messages_patient')
        .on('messages')
        .column('patient_key')
        .execute();
      await db.schema
        .createTable('message_receipts')
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('reader_id', 'text', (c) => c.notNull())
        .addColumn('read_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('message_receipts_pk', ['message_id', 'reader_id'])
        .execute();
      await db.schema
        .createIndex('message_receipts_reader')
        .on('message_receipts')
        .column('reader_id')
        .execute();
    },
  };
}
