/**
 * What the scheduling API answers: small views built from FHIR resources as the caller may see
 * them (already shaped by their field set), never the stored JSON. Instants are UTC.
 */
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

type Json = Record<string, unknown>;

export function refId(ref: unknown, type: string): string | null {
  const r = (ref as { reference?: unknown } | undefined)?.reference;
  if (typeof r !== 'string' || !r.startsWith(`${type}/`)) return null;
  return r.slice(type.length + 1);
}

export function slotView(r: Json): SlotView {
  return {
    id: String(r.id),
    scheduleId: refId(r.schedule, 'Schedule') ?? '',
    status: String(r.status),
    start: String(r.start),
    end: String(r.end),
  };
}

function participant(r: Json, type: string): { id: string | null; display: string | null } {
  const list = Array.isArray(r.participant) ? (r.participant as Json[]) : [];
  for (const p of list) {
    const id = refId(p.actor, type);
    if (id !== null) {
      const display = (p.actor as { display?: unknown }).display;
      return { id, display: typeof display === 'string' ? display : null };
    }
  }
  return { id: null, display: null };
}

export function appointmentView(r: Json): AppointmentView {
  const patient = participant(r, 'Patient');
  const practitioner = participant(r, 'Practitioner');
  const slots = Array.isArray(r.slot) ? (r.slot as unknown[]) : [];
  return {
    id: String(r.id),
    status: String(r.status),
    start: String(r.start),
    end: String(r.end),
    slotId: slots.length > 0 ? refId(slots[0], 'Slot') : null,
    patientId: patient.id,
    patientName: patient.display,
    practitionerId: practitioner.id,
    practitionerName: practitioner.display,
  };
}

/** A person's name as one line: the text, else given names and family. */
export function displayName(resource: Json): string | undefined {
  const names = Array.isArray(resource.name) ? (resource.name as Json[]) : [];
  const n = names[0];
  if (!n) return undefined;
  if (typeof n.text === 'string') return n.text;
  const given = Array.isArray(n.given) ? (n.given as string[]).join(' ') : '';
  const family = typeof n.family === 'string' ? n.family : '';
  const line = `${given} ${family}`.trim();
  return line === '' ? undefined : line;
}
