import type { Kysely } from 'kysely';

/**
 * Scheduling (issue 16, ADR 0026). `slot_reservations`: one row per booked Slot, its primary key
 * the slot id, inserted in the same transaction as the Appointment that takes the slot, so that
 * of any number of concurrent bookings of one slot exactly one commits (both engines enforce the
 * key; the losers insert nothing). `appointment_reminders`: when each booked appointment's
 * reminder is due and whether it was sent; a sweep claims a row with a conditional update, so two
 * server processes sweeping at once send each reminder once. Neither table names a patient: the
 * appointment id leads to its sealed resource, nothing more.
 */
export function schedulingMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('slot_reservations')
        .addColumn('slot_id', 'text', (c) => c.primaryKey())
        .addColumn('appointment_id', 'text', (c) => c.notNull())
        .addColumn('reserved_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('slot_reservations_appointment')
        .on('slot_reservations')
        .column('appointment_id')
        .execute();
      await db.schema
        .createTable('appointment_reminders')
        .addColumn('appointment_id', 'text', (c) => c.primaryKey())
        .addColumn('due_at', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text')
        .addColumn('claimed_by', 'text')
        .execute();
      await db.schema
        .createIndex('appointment_reminders_due')
        .on('appointment_reminders')
        .columns(['sent_at', 'due_at'])
        .execute();
    },
  };
}
