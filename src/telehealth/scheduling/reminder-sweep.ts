import { randomUUID } from 'node:crypto';
import type { RecordDeps } from '../../records/index.js';
import type { SchedulingRepository } from '../../store/index.js';
import { tellPatient, type NoticeDeps } from './notices.js';

export interface ReminderSweepOptions extends NoticeDeps {
  records: RecordDeps;
  scheduling: SchedulingRepository;
  /** How long before the start the reminder is due (the same lead as at booking). */
  reminderLeadMs?: number;
}

/**
 * Sends the reminders that are due (ADR 0026). Driven by the injectable clock: `run()` looks at
 * `records.clock()`, never at the wall clock, and the server calls it on an interval. Each
 * reminder row is claimed by a conditional update before its notice is sent, so two processes
 * (or two overlapping runs) send it once. The sweep opens the Appointment and its Patient only
 * to hand their values to the PHI check; the `notification-send` entry names both ids.
 * A reminder whose appointment has already begun (the server was down) is dropped, not sent late.
 */
export class ReminderSweep {
  private readonly leadMs: number;

  constructor(private readonly o: ReminderSweepOptions) {
    this.leadMs = o.reminderLeadMs ?? 24 * 3_600_000;
  }

  async run(): Promise<{ sent: number; skipped: number }> {
    const now = this.o.records.clock();
    const claimed = await this.o.scheduling.claimDue(now.toISOString(), randomUUID());
    let sent = 0;
    let skipped = 0;
    for (const r of claimed) {
      const start = Date.parse(r.dueAt) + this.leadMs;
      const appointment = await this.open('Appointment', r.appointmentId);
      if (start <= now.getTime() || appointment?.status !== 'booked') {
        skipped++;
        continue;
      }
      const owner = (await this.o.records.resources.head('Appointment', r.appointmentId))?.owner;
      const patientId = owner?.startsWith('Patient/') ? owner.slice('Patient/'.length) : null;
      const patient = patientId === null ? undefined : await this.open('Patient', patientId);
      const ok = await tellPatient(this.o, 'appointment-reminder', patientId, r.appointmentId, [
        appointment,
        patient,
      ]);
      if (ok) sent++;
      else skipped++;
    }
    return { sent, skipped };
  }

  private async open(type: string, id: string): Promise<Record<string, unknown> | undefined> {
    const stored = await this.o.records.resources.readCurrent(type, id);
    if (!stored || stored.deleted) return undefined;
    const bytes = await this.o.records.sealed.open(stored);
    return JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  }
}
