import type { VideoConfig } from '../../config/index.js';

/** What a visit room needs to know of its Appointment: who may enter, and when. */
export interface AppointmentFacts {
  id: string;
  status: string;
  patientId: string;
  practitionerIds: string[];
  start: Date;
  end: Date;
}

/** Statuses whose room can open; a cancelled, no-show or finished appointment has none. */
const OPEN_STATUSES = new Set(['booked', 'arrived', 'checked-in', 'pending']);

interface AppointmentJson {
  resourceType?: unknown;
  id?: unknown;
  status?: unknown;
  start?: unknown;
  end?: unknown;
  participant?: { actor?: { reference?: unknown }; status?: unknown }[];
}

/**
 * The facts, or undefined when the Appointment cannot have a room: no single Patient, no
 * Practitioner, or no start and end instant. Declined participants are not let in.
 */
export function appointmentFacts(json: unknown): AppointmentFacts | undefined {
  const a = json as AppointmentJson;
  if (a.resourceType !== 'Appointment' || typeof a.id !== 'string') return undefined;
  if (typeof a.start !== 'string' || typeof a.end !== 'string') return undefined;
  const start = new Date(a.start);
  const end = new Date(a.end);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || end < start) return undefined;
  const actors = (a.participant ?? [])
    .filter((p) => p.status !== 'declined')
    .map((p) => p.actor?.reference)
    .filter((r): r is string => typeof r === 'string');
  const patients = actors.filter((r) => r.startsWith('Patient/')).map((r) => r.slice(8));
  const practitioners = actors.filter((r) => r.startsWith('Practitioner/')).map((r) => r.slice(13));
  if (patients.length !== 1 || practitioners.length === 0) return undefined;
  return {
    id: a.id,
    status: typeof a.status === 'string' ? a.status : 'unknown',
    patientId: patients[0]!,
    practitionerIds: practitioners,
    start,
    end,
  };
}

export interface VisitWindow {
  opensAt: Date;
  closesAt: Date;
}

export function visitWindow(
  f: AppointmentFacts,
  c: Pick<VideoConfig, 'opensBeforeMinutes' | 'closesAfterMinutes'>,
): VisitWindow {
  return {
    opensAt: new Date(f.start.getTime() - c.opensBeforeMinutes * 60_000),
    closesAt: new Date(f.end.getTime() + c.closesAfterMinutes * 60_000),
  };
}

/** Why a room is closed at `now`, or undefined when it is open. */
export function closedReason(
  f: AppointmentFacts,
  w: VisitWindow,
  now: Date,
): 'not-yet-open' | 'closed' | 'not-bookable' | undefined {
  if (!OPEN_STATUSES.has(f.status)) return 'not-bookable';
  if (now < w.opensAt) return 'not-yet-open';
  if (now > w.closesAt) return 'closed';
  return undefined;
}
