import type { Kysely } from 'kysely';
import { binaryType, type Engine } from '../engine.js';

/**
 * Visit recordings (issue 16 part 3, ADR 0034). The consents themselves are FHIR Consent
 * resources in the sealed store; `visit_recording_consents` is only the gate a chunk passes
 * (which side of which room has consented now, and the Consent's id). A recording's chunks are
 * sealed under the patient's data key (AAD: recording id and sequence number) until it stops,
 * when they become one Binary and a DocumentReference and are deleted. No PHI in clear here:
 * room (Appointment) ids, Consent ids, counts and times.
 */
export function visitRecordingsMigration(engine: Engine) {
  const bin = binaryType(engine);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('visit_recording_consents')
        .addColumn('room', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('consent_id', 'text', (c) => c.notNull())
        .addColumn('given_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('visit_recording_consents_pk', ['room', 'role'])
        .execute();
      await db.schema
        .createTable('visit_recordings')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('room', 'text', (c) => c.notNull())
        // recording | stopped (no more chunks; finalizing) | final
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('next_seq', 'integer', (c) => c.notNull())
        .addColumn('bytes', 'integer', (c) => c.notNull())
        .addColumn('started_by', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('stopped_at', 'text')
        .addColumn('binary_id', 'text')
        .addColumn('document_id', 'text')
        .execute();
      await db.schema
        .createIndex('visit_recordings_room')
        .on('visit_recordings')
        .column('room')
        .execute();
      await db.schema
        .createTable('visit_recording_chunks')
        .addColumn('recording_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('body', bin, (c) => c.notNull())
        .addPrimaryKeyConstraint('visit_recording_chunks_pk', ['recording_id', 'seq'])
        .execute();
    },
  };
}
