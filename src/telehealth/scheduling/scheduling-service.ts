import type { RequestContext } from '../../auth/index.js';
import { FhirError, runTransaction, type RecordDeps } from '../../records/index.js';
import { calendarOf, publishSlots } from './availability.js';
import { SchedulingRepository, SlotTakenError } from '../../store/index.js';
import { SchedulingError } from './errors.js';
import { tellPatient, type NoticeDeps } from './notices.js';
import { bundle, vaultOf, type Json, type Vault } from './vault.js';
import {
  appointmentView,
  displayName,
  refId,
  type AppointmentView,
  type SlotView,
} from './views.js';

export interface SchedulingOptions extends NoticeDeps {
  records: RecordDeps;
  /** How long before the start the reminder is due (default 24 h). */
  reminderLeadMs?: number;
}

/**
 * Appointments over FHIR Schedule, Slot and Appointment (issue 16 part 1, ADR 0026). Every read
 * and write goes through the record vault with the caller's own access decision, field set and
 * audit; what scheduling adds is the rule that a slot is booked once: booking writes the busy
 * Slot, the Appointment, the slot reservation row and the reminder in one transaction, and the
 * reservation's primary key lets only one concurrent booking commit. The Appointment's
 * Practitioner participant is what gives the clinician the care relation (records/care-relations).
 */
export class SchedulingService {
  private readonly leadMs: number;
  private readonly vault: Vault;

  constructor(private readonly o: SchedulingOptions) {
    this.leadMs = o.reminderLeadMs ?? 24 * 3_600_000;
    this.vault = vaultOf(o.records);
  }

  private now(): number {
    return this.o.records.clock().getTime();
  }

  private read(ctx: RequestContext, type: string, id: string): Promise<Json> {
    return this.vault.read(ctx, type, id);
  }

  private search(ctx: RequestContext, type: string, q: [string, string][]): Promise<Json[]> {
    return this.vault.search(ctx, type, q);
  }

  /** The free slots a scheduler (or the clinician) publishes on a practitioner's schedule. */
  publish(
    ctx: RequestContext,
    practitionerId: string,
    slots: readonly { start: string; end: string }[],
  ): Promise<SlotView[]> {
    return publishSlots(this.vault, ctx, practitionerId, slots);
  }

  /** A practitioner's slots and appointments between two instants (the calendar's week). */
  calendar(ctx: RequestContext, practitionerId: string, from: string, to: string) {
    return calendarOf(this.vault, ctx, practitionerId, from, to);
  }

  /** A patient's own upcoming (booked, not yet ended) appointments. */
  async upcomingForPatient(ctx: RequestContext): Promise<AppointmentView[]> {
    const patientId = ctx.principal.patientId;
    if (patientId === undefined) throw new SchedulingError('not-a-patient');
    const nowIso = new Date(this.now()).toISOString();
    const found = await this.search(ctx, 'Appointment', [['patient', `Patient/${patientId}`]]);
    return found
      .map(appointmentView)
      .filter((a) => a.status === 'booked' && a.end > nowIso)
      .sort((a, b) => a.start.localeCompare(b.start));
  }

  /** Books a patient into a free slot: exactly one of concurrent bookings of a slot wins. */
  async book(ctx: RequestContext, slotId: string, patientId: string) {
    const slot = await this.freeSlot(ctx, slotId);
    const practitioner = await this.practitionerOf(ctx, slot);
    const patient = await this.read(ctx, 'Patient', patientId);
    const id = this.o.records.newId();
    const appointment: Json = {
      resourceType: 'Appointment',
      id,
      status: 'booked',
      start: slot.start,
      end: slot.end,
      slot: [{ reference: `Slot/${slotId}` }],
      participant: [
        participantOf('Patient', patientId, displayName(patient)),
        participantOf('Practitioner', practitioner.id, practitioner.name),
      ],
    };
    await this.commit(ctx, [{ ...slot, status: 'busy' }, appointment], async (trx, at) => {
      await SchedulingRepository.reserve(trx, slotId, id, at);
      await SchedulingRepository.setReminder(trx, id, this.reminderDue(String(slot.start)));
    });
    const notified = await tellPatient(this.o, 'appointment-booked', patientId, id, [
      appointment,
      patient,
    ]);
    return { appointment: appointmentView(appointment), notified };
  }

  /** Moves a booked, future appointment to another free slot (the old one is freed). */
  async reschedule(ctx: RequestContext, appointmentId: string, slotId: string) {
    const current = await this.changeable(ctx, appointmentId);
    const oldSlotId = appointmentView(current).slotId;
    if (oldSlotId === slotId) throw new SchedulingError('same-slot');
    const slot = await this.freeSlot(ctx, slotId);
    const practitioner = await this.practitionerOf(ctx, slot);
    const others = (current.participant as Json[] | undefined)?.filter(
      (p) => refId(p.actor, 'Practitioner') === null,
    );
    const moved: Json = {
      ...current,
      start: slot.start,
      end: slot.end,
      slot: [{ reference: `Slot/${slotId}` }],
      participant: [
        ...(others ?? []),
        participantOf('Practitioner', practitioner.id, practitioner.name),
      ],
    };
    const old = oldSlotId === null ? [] : [await this.read(ctx, 'Slot', oldSlotId)];
    const writes = [
      ...old.map((s) => ({ ...s, status: 'free' })),
      { ...slot, status: 'busy' },
      moved,
    ];
    await this.commit(ctx, writes, async (trx, at) => {
      if (oldSlotId !== null) await SchedulingRepository.release(trx, oldSlotId, appointmentId);
      await SchedulingRepository.reserve(trx, slotId, appointmentId, at);
      await SchedulingRepository.setReminder(
        trx,
        appointmentId,
        this.reminderDue(String(slot.start)),
      );
    });
    const view = appointmentView(moved);
    const notified = await tellPatient(
      this.o,
      'appointment-changed',
      view.patientId,
      appointmentId,
      [current, moved],
    );
    return { appointment: view, notified };
  }

  /** Cancels a booked, future appointment: the slot is free again, its care relation ends. */
  async cancel(ctx: RequestContext, appointmentId: string) {
    const current = await this.changeable(ctx, appointmentId);
    const slotId = appointmentView(current).slotId;
    const cancelled: Json = { ...current, status: 'cancelled' };
    const slot = slotId === null ? [] : [await this.read(ctx, 'Slot', slotId)];
    await this.commit(
      ctx,
      [cancelled, ...slot.map((s) => ({ ...s, status: 'free' }))],
      async (trx) => {
        if (slotId !== null) await SchedulingRepository.release(trx, slotId, appointmentId);
        await SchedulingRepository.dropReminder(trx, appointmentId);
      },
    );
    const view = appointmentView(cancelled);
    const notified = await tellPatient(
      this.o,
      'appointment-changed',
      view.patientId,
      appointmentId,
      [current],
    );
    return { appointment: view, notified };
  }

  private reminderDue(start: string): string {
    return new Date(Date.parse(start) - this.leadMs).toISOString();
  }

  private async freeSlot(ctx: RequestContext, slotId: string): Promise<Json> {
    const slot = await this.read(ctx, 'Slot', slotId);
    if (slot.status !== 'free') throw new SchedulingError('slot-taken');
    if (Date.parse(String(slot.start)) <= this.now()) throw new SchedulingError('slot-past');
    return slot;
  }

  private async practitionerOf(
    ctx: RequestContext,
    slot: Json,
  ): Promise<{ id: string; name?: string }> {
    const scheduleId = refId(slot.schedule, 'Schedule');
    if (scheduleId === null) throw new SchedulingError('no-schedule');
    const schedule = await this.read(ctx, 'Schedule', scheduleId);
    const actors = Array.isArray(schedule.actor) ? (schedule.actor as unknown[]) : [];
    const id = actors.map((a) => refId(a, 'Practitioner')).find((x) => x !== null);
    if (id === undefined || id === null) throw new SchedulingError('no-schedule');
    const name = displayName(await this.read(ctx, 'Practitioner', id));
    return { id, ...(name !== undefined && { name }) };
  }

  private async changeable(ctx: RequestContext, appointmentId: string): Promise<Json> {
    const current = await this.read(ctx, 'Appointment', appointmentId);
    if (current.status !== 'booked') throw new SchedulingError('not-booked');
    if (Date.parse(String(current.start)) <= this.now())
      throw new SchedulingError('appointment-past');
    return current;
  }

  /** One FHIR transaction (PUT each resource) plus scheduling's own rows; 409 if the slot went. */
  private async commit(
    ctx: RequestContext,
    resources: Json[],
    rows: (trx: Parameters<typeof SchedulingRepository.reserve>[0], at: string) => Promise<void>,
  ): Promise<void> {
    const at = new Date(this.now()).toISOString();
    try {
      await runTransaction(
        this.o.records,
        ctx,
        bundle(resources),
        (trx) => rows(trx, at),
        'scheduling',
      );
    } catch (e) {
      // A concurrent booking either took the reservation or moved the Slot's version first.
      if (e instanceof SlotTakenError || (e instanceof FhirError && e.status === 409))
        throw new SchedulingError('slot-taken');
      throw e;
    }
  }
}

function participantOf(type: string, id: string, display: string | undefined): Json {
  return {
    actor: { reference: `${type}/${id}`, ...(display !== undefined && { display }) },
    required: 'required',
    status: 'accepted',
  };
}
