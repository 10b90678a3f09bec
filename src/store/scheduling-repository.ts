import type { Kysely } from 'kysely';
import type { HavenDatabase } from './schema.js';

type Db = Kysely<HavenDatabase>;

/** A second booking of a reserved slot: the transaction that tried it writes nothing. */
export class SlotTakenError extends Error {
  readonly code = 'slot-taken';
  constructor() {
    super('the slot is already booked');
  }
}

/** A reminder a sweep has claimed and must now send. */
export interface DueReminder {
  appointmentId: string;
  dueAt: string;
}

/**
 * Slot reservations and appointment reminders (migration 0007). Reservation writes run inside
 * the caller's transaction, the one that writes the Appointment: the primary key on `slot_id`
 * is what lets exactly one of concurrent bookings commit on SQLite (one writer at a time) and on
 * PostgreSQL (the second insert waits on the first's row lock, then finds the key taken).
 * Times are ISO-8601 UTC, so text order is time order.
 */
export class SchedulingRepository {
  constructor(private readonly db: Db) {}

  /** Takes the slot for the appointment, or throws SlotTakenError (nothing inserted). */
  static async reserve(trx: Db, slotId: string, appointmentId: string, at: string): Promise<void> {
    const r = await trx
      .insertInto('slot_reservations')
      .values({ slot_id: slotId, appointment_id: appointmentId, reserved_at: at })
      .onConflict((c) => c.doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0n) !== 1) throw new SlotTakenError();
  }

  /** Frees the slot this appointment held (cancel, or the old slot of a reschedule). */
  static async release(trx: Db, slotId: string, appointmentId: string): Promise<void> {
    await trx
      .deleteFrom('slot_reservations')
      .where('slot_id', '=', slotId)
      .where('appointment_id', '=', appointmentId)
      .execute();
  }

  /**
   * Frees every slot the appointment holds but for `keep`: a version written through /fhir that
   * cancels the appointment, drops its slot or deletes it gives its slots back (slot-rule.ts).
   */
  static async releaseAllBut(trx: Db, appointmentId: string, keep: string[]): Promise<void> {
    let q = trx.deleteFrom('slot_reservations').where('appointment_id', '=', appointmentId);
    if (keep.length > 0) q = q.where('slot_id', 'not in', keep);
    await q.execute();
  }

  /** Sets (or moves) the appointment's reminder; a moved one is due again, unsent. */
  static async setReminder(trx: Db, appointmentId: string, dueAt: string): Promise<void> {
    await trx
      .insertInto('appointment_reminders')
      .values({ appointment_id: appointmentId, due_at: dueAt, sent_at: null, claimed_by: null })
      .onConflict((c) =>
        c.column('appointment_id').doUpdateSet({ due_at: dueAt, sent_at: null, claimed_by: null }),
      )
      .execute();
  }

  static async dropReminder(trx: Db, appointmentId: string): Promise<void> {
    await trx
      .deleteFrom('appointment_reminders')
      .where('appointment_id', '=', appointmentId)
      .execute();
  }

  async reservationOf(slotId: string): Promise<string | undefined> {
    const r = await this.db
      .selectFrom('slot_reservations')
      .select('appointment_id')
      .where('slot_id', '=', slotId)
      .executeTakeFirst();
    return r?.appointment_id;
  }

  /**
   * Claims the reminders due at `now` for one sweep: each row is claimed by a conditional update
   * (`sent_at IS NULL`), so of two sweeps racing for it exactly one gets it. A claimed reminder
   * counts as sent even if the send then fails: once is the rule, and a lost reminder is
   * preferred to a duplicate (the sweep logs the failure by code).
   */
  async claimDue(now: string, sweepId: string, limit = 100): Promise<DueReminder[]> {
    const due = await this.db
      .selectFrom('appointment_reminders')
      .select(['appointment_id', 'due_at'])
      .where('sent_at', 'is', null)
      .where('due_at', '<=', now)
      .orderBy('due_at')
      .limit(limit)
      .execute();
    const claimed: DueReminder[] = [];
    for (const r of due) {
      const u = await this.db
        .updateTable('appointment_reminders')
        .set({ sent_at: now, claimed_by: sweepId })
        .where('appointment_id', '=', r.appointment_id)
        .where('sent_at', 'is', null)
        .executeTakeFirst();
      if (Number(u.numUpdatedRows) === 1)
        claimed.push({ appointmentId: r.appointment_id, dueAt: r.due_at });
    }
    return claimed;
  }
}
