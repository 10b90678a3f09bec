import type { Kysely } from 'kysely';
import { binaryType, type Engine } from '../engine.js';

/**
 * Access control: who is related to which patient (care team, appointment, lab order), derived
 * from the FHIR resources on every write; break-glass grants; app tokens bound to a person. Ids only: the relation rows
 * say that two opaque ids are linked, never who the people are.
 */
export function accessMigration(engine: Engine) {
  const bin = binaryType(engine);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // An app token acts for one person (their roles and its SMART scopes both apply).
      await db.schema.alterTable('api_clients').addColumn('user_id', 'text').execute();
      await db.schema
        .createTable('care_relations')
        .addColumn('source_type', 'text', (c) => c.notNull())
        .addColumn('source_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        // '' for relations that name no practitioner (a lab order reaches the whole lab).
        .addColumn('practitioner', 'text', (c) => c.notNull())
        .addColumn('patient', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('care_relations_pk', [
          'source_type',
          'source_id',
          'kind',
          'practitioner',
        ])
        .execute();
      await db.schema
        .createIndex('care_relations_practitioner')
        .on('care_relations')
        .columns(['practitioner', 'patient'])
        .execute();
      await db.schema
        .createIndex('care_relations_patient')
        .on('care_relations')
        .columns(['patient', 'kind'])
        .execute();
      await db.schema
        .createTable('break_glass_grants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('patient', 'text', (c) => c.notNull())
        .addColumn('reason_sealed', bin, (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text')
        .addColumn('ended_by', 'text')
        .execute();
      await db.schema
        .createIndex('break_glass_grants_user')
        .on('break_glass_grants')
        .columns(['user_id', 'expires_at'])
        .execute();
      await db.schema
        .createIndex('break_glass_grants_expiry')
        .on('break_glass_grants')
        .column('expires_at')
        .execute();
    },
  };
}
