import type { Kysely } from 'kysely';
import { binaryType, type Engine } from '../engine.js';

/** Where 0003's plaintext rows wait until the keyed conversion (store/convert-relations.ts). */
export const LEGACY_RELATIONS = 'care_relations_0003';
export const LEGACY_GRANTS = 'break_glass_grants_0003';

/**
 * Who treats whom is PHI. Care relations and break-glass grants keep no patient, practitioner
 * or source id in plaintext: lookups go through blind-index keys (HMAC under the index key),
 * and the ids a search needs back are sealed (AES-256-GCM under the relation key). Each
 * relation also records who created it and under which authority (ADR 0013).
 *
 * The old tables are renamed, not converted here: a migration has no keys. openHaven converts
 * their rows once the keys are unwrapped and drops them in the same transaction.
 */
export function sealedRelationsMigration(engine: Engine) {
  const bin = binaryType(engine);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('care_relations').renameTo(LEGACY_RELATIONS).execute();
      await db.schema.alterTable('break_glass_grants').renameTo(LEGACY_GRANTS).execute();
      await db.schema
        .createTable('care_relations')
        // HMAC of the source resource (`CareTeam/<id>`…): its rows are replaced on each write.
        .addColumn('source_key', bin, (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        // HMAC of `Practitioner/<id>`, or of '' for a relation to no one in particular (lab).
        .addColumn('practitioner_key', bin, (c) => c.notNull())
        .addColumn('patient_key', bin, (c) => c.notNull())
        // Sealed {practitioner, patient}: what a search needs back, bound to the keys above.
        .addColumn('sealed', bin, (c) => c.notNull())
        // 'role-reach' | 'client-scope' | 'legacy' (created before authorities were recorded).
        .addColumn('authority', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('created_by_kind', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('care_relations_v4_pk', ['source_key', 'kind', 'practitioner_key'])
        .execute();
      await db.schema
        .createIndex('care_relations_v4_practitioner')
        .on('care_relations')
        .columns(['practitioner_key', 'patient_key'])
        .execute();
      await db.schema
        .createIndex('care_relations_v4_patient')
        .on('care_relations')
        .columns(['patient_key', 'kind'])
        .execute();
      await db.schema
        .createTable('break_glass_grants')
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('patient_key', bin, (c) => c.notNull())
        .addColumn('patient_sealed', bin, (c) => c.notNull())
        // Sealed under the patient's data key (unchanged from 0003): disposal shreds it.
        .addColumn('reason_sealed', bin, (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text')
        .addColumn('ended_by', 'text')
        .addPrimaryKeyConstraint('break_glass_grants_v4_pk', ['id'])
        .execute();
      await db.schema
        .createIndex('break_glass_grants_v4_user')
        .on('break_glass_grants')
        .columns(['user_id', 'expires_at'])
        .execute();
      await db.schema
        .createIndex('break_glass_grants_v4_expiry')
        .on('break_glass_grants')
        .column('expires_at')
        .execute();
    },
  };
}
