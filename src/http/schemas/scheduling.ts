import { z } from 'zod';
import { FHIR_ID, REFUSALS } from './common.js';

/** An instant with its offset (`2026-03-09T09:00:00-04:00` or `…Z`): never a floating time. */
const Instant = z.iso.datetime({ offset: true });

const Slot = z.object({
  id: z.string(),
  scheduleId: z.string(),
  status: z.string(),
  start: z.string(),
  end: z.string(),
});

const Appointment = z.object({
  id: z.string(),
  status: z.string(),
  start: z.string(),
  end: z.string(),
  slotId: z.string().nullable(),
  patientId: z.string().nullable(),
  patientName: z.string().nullable(),
  practitionerId: z.string().nullable(),
  practitionerName: z.string().nullable(),
});

const Changed = z.object({
  appointment: Appointment,
  // Whether every linked account of the patient was sent its PHI-free notice.
  notified: z.boolean(),
});

const AppointmentParams = z.object({ id: FHIR_ID });

/** Scheduling (src/http/scheduling-routes.ts, ADR 0026). */
export const publish = {
  summary: "Publish free slots on a practitioner's schedule (a scheduler, or the clinician)",
  body: z.object({
    practitionerId: FHIR_ID,
    slots: z
      .array(z.object({ start: Instant, end: Instant }))
      .min(1)
      .max(200),
  }),
  response: { 201: z.object({ slots: z.array(Slot) }), ...REFUSALS },
};

export const calendar = {
  summary: "A practitioner's week: slots and appointments, in the clinic's time zone",
  querystring: z.object({
    practitionerId: FHIR_ID,
    // A local date (YYYY-MM-DD) in the week to show; the week runs Monday to Monday locally.
    week: z.iso.date(),
    timeZone: z.string().max(64).optional(),
  }),
  response: {
    200: z.object({
      timeZone: z.string(),
      from: z.string(),
      to: z.string(),
      slots: z.array(Slot),
      appointments: z.array(Appointment),
    }),
    ...REFUSALS,
  },
};

export const book = {
  summary: 'Book a patient into a free slot (exactly one of concurrent bookings wins)',
  body: z.object({ slotId: FHIR_ID, patientId: FHIR_ID }),
  response: { 201: Changed, ...REFUSALS },
};

export const reschedule = {
  summary: 'Move a booked appointment to another free slot',
  params: AppointmentParams,
  body: z.object({ slotId: FHIR_ID }),
  response: { 200: Changed, ...REFUSALS },
};

export const cancel = {
  summary: 'Cancel a booked appointment; its slot is free again',
  params: AppointmentParams,
  response: { 200: Changed, ...REFUSALS },
};

export const mine = {
  summary: "A patient's own upcoming appointments",
  response: { 200: z.object({ appointments: z.array(Appointment) }), ...REFUSALS },
};
