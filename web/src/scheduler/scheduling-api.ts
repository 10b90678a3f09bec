import { get, post } from '../api';

/** The scheduling API's answers (src/http/schemas/scheduling.ts). Instants are UTC. */
export interface SlotView {
  id: string;
  scheduleId: string;
  status: string;
  start: string;
  end: string;
}

export interface AppointmentView {
  id: string;
  status: string;
  start: string;
  end: string;
  slotId: string | null;
  patientId: string | null;
  patientName: string | null;
  practitionerId: string | null;
  practitionerName: string | null;
}

export interface Week {
  timeZone: string;
  from: string;
  to: string;
  slots: SlotView[];
  appointments: AppointmentView[];
}

export interface Person {
  id: string;
  name: string;
}

export const calendar = (practitionerId: string, week: string) =>
  get<Week>(
    `/api/scheduling/calendar?practitionerId=${encodeURIComponent(practitionerId)}&week=${week}`,
  );

export const publishSlots = (practitionerId: string, slots: { start: string; end: string }[]) =>
  post<{ slots: SlotView[] }>('/api/scheduling/slots', { practitionerId, slots });

export const book = (slotId: string, patientId: string) =>
  post<{ appointment: AppointmentView }>('/api/scheduling/appointments', { slotId, patientId });

export const reschedule = (appointmentId: string, slotId: string) =>
  post<{ appointment: AppointmentView }>(
    `/api/scheduling/appointments/${encodeURIComponent(appointmentId)}/reschedule`,
    { slotId },
  );

export const cancel = (appointmentId: string) =>
  post<{ appointment: AppointmentView }>(
    `/api/scheduling/appointments/${encodeURIComponent(appointmentId)}/cancel`,
  );

interface Named {
  id: string;
  name?: { text?: string; given?: string[]; family?: string }[];
}

function nameOf(r: Named): string {
  const n = r.name?.[0];
  return n?.text ?? ([...(n?.given ?? []), n?.family ?? ''].join(' ').trim() || r.id);
}

/** People from a FHIR search (practitioners from the directory, patients as the front desk sees them). */
export async function people(type: 'Practitioner' | 'Patient'): Promise<Person[]> {
  const bundle = await get<{ entry?: { resource?: Named }[] }>(`/fhir/R4/${type}?_count=200`);
  return (bundle.entry ?? [])
    .flatMap((e) => (e.resource ? [{ id: e.resource.id, name: nameOf(e.resource) }] : []))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** `YYYY-MM-DD` of an instant in a zone. */
export function localDate(instant: string | number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(instant));
}

/** `09:30` of an instant in a zone. */
export function localTime(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(instant));
}

/** The seven local days of a week answer, each with its heading. */
export function daysOf(week: Week): { date: string; label: string }[] {
  const start = Date.parse(week.from);
  return Array.from({ length: 7 }, (_, i) => {
    // Midday of each day: never on the wrong side of a daylight-saving change.
    const at = start + i * 86_400_000 + 12 * 3_600_000;
    return {
      date: localDate(at, week.timeZone),
      label: new Intl.DateTimeFormat('en-US', {
        timeZone: week.timeZone,
        weekday: 'short',
        month: 'short',
        day: 'numeric',
      }).format(new Date(at)),
    };
  });
}

/** A date `days` after a `YYYY-MM-DD` date. */
export function shiftDate(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  return new Date(d.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}
