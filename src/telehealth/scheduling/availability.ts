import type { RequestContext } from '../../auth/index.js';
import { FhirError, runTransaction } from '../../records/index.js';
import { SchedulingError } from './errors.js';
import { toUtc } from './time-zones.js';
import { bundle, type Json, type Vault } from './vault.js';
import { appointmentView, slotView, type SlotView } from './views.js';

/** Longest slot a clinician may publish, and most slots in one request. */
const MAX_SLOT_MS = 8 * 3_600_000;
export const MAX_SLOTS_PER_REQUEST = 200;

/** The free slots a scheduler (or the clinician) publishes on a practitioner's schedule. */
export async function publishSlots(
  v: Vault,
  ctx: RequestContext,
  practitionerId: string,
  slots: readonly { start: string; end: string }[],
): Promise<SlotView[]> {
  const p = ctx.principal;
  if (!p.roles.includes('scheduler') && p.practitionerId !== practitionerId)
    throw new SchedulingError('not-your-schedule');
  await v.read(ctx, 'Practitioner', practitionerId); // 404 for one that does not exist
  const wanted = slots
    .map((s) => ({ start: toUtc(s.start), end: toUtc(s.end) }))
    .sort((a, b) => a.start.localeCompare(b.start));
  for (const [i, s] of wanted.entries()) {
    const ms = Date.parse(s.end) - Date.parse(s.start);
    if (!(ms > 0 && ms <= MAX_SLOT_MS))
      throw new FhirError(400, 'invalid', 'a slot must end after it starts, within 8 hours');
    if (Date.parse(s.start) <= v.records.clock().getTime()) throw new SchedulingError('slot-past');
    if (i > 0 && wanted[i - 1]!.end > s.start) throw new SchedulingError('slot-overlap');
  }
  const schedules = await v.search(ctx, 'Schedule', [['actor', `Practitioner/${practitionerId}`]]);
  const newSchedule = schedules.length === 0;
  const scheduleId = newSchedule ? v.records.newId() : String(schedules[0]!.id);
  if (!newSchedule) {
    const existing = await slotsOf(v, ctx, [scheduleId], wanted[0]!.start, wanted.at(-1)!.end);
    const overlaps = existing.some((e) => wanted.some((w) => w.start < e.end && e.start < w.end));
    if (overlaps) throw new SchedulingError('slot-overlap');
  }
  const written: Json[] = wanted.map((s) => ({
    resourceType: 'Slot',
    id: v.records.newId(),
    schedule: { reference: `Schedule/${scheduleId}` },
    status: 'free',
    start: s.start,
    end: s.end,
  }));
  const schedule: Json = {
    resourceType: 'Schedule',
    id: scheduleId,
    active: true,
    actor: [{ reference: `Practitioner/${practitionerId}` }],
  };
  await runTransaction(
    v.records,
    ctx,
    bundle([...(newSchedule ? [schedule] : []), ...written]),
    undefined,
    'scheduling',
  );
  return written.map(slotView);
}

async function slotsOf(
  v: Vault,
  ctx: RequestContext,
  scheduleIds: string[],
  from: string,
  to: string,
): Promise<SlotView[]> {
  const out: SlotView[] = [];
  for (const id of scheduleIds) {
    // Slots last at most 8 h, so one that starts 8 h before `from` may still reach into it;
    // both bounds keep an old schedule's past slots out of the page.
    const earliest = new Date(Date.parse(from) - MAX_SLOT_MS).toISOString();
    const found = await v.search(ctx, 'Slot', [
      ['schedule', `Schedule/${id}`],
      ['start', `ge${earliest}`],
      ['start', `lt${to}`],
      ['_sort', 'start'],
    ]);
    out.push(...found.map(slotView).filter((s) => s.end > from));
  }
  return out;
}

/** A practitioner's slots and appointments between two instants (the calendar's week). */
export async function calendarOf(
  v: Vault,
  ctx: RequestContext,
  practitionerId: string,
  from: string,
  to: string,
) {
  const schedules = await v.search(ctx, 'Schedule', [['actor', `Practitioner/${practitionerId}`]]);
  const slots = await slotsOf(
    v,
    ctx,
    schedules.map((s) => String(s.id)),
    from,
    to,
  );
  const appointments = await v.search(ctx, 'Appointment', [
    ['practitioner', `Practitioner/${practitionerId}`],
    ['date', `ge${from}`],
    ['date', `lt${to}`],
  ]);
  return {
    slots: slots.sort((a, b) => a.start.localeCompare(b.start)),
    appointments: appointments.map(appointmentView).sort((a, b) => a.start.localeCompare(b.start)),
  };
}
