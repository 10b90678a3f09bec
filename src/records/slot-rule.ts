import type { RequestContext } from '../auth/index.js';
import { FhirError } from './errors.js';
import { openOrFail } from './read-record.js';
import { audit, draft, type RecordDeps } from './record-context.js';
import { patientIdOfOwner } from './sealed-resources.js';

type Resource = Record<string, unknown> & { resourceType: string };

/**
 * Who is writing: the FHIR API (a person or an integration) or the scheduling service, which
 * takes the slot reservation itself in the same transaction (ADR 0026).
 */
export type WriteVia = 'fhir' | 'scheduling';

/** Statuses of an Appointment that hold no slot: writing one takes no reservation. */
const NOT_HOLDING = new Set(['cancelled', 'entered-in-error', 'noshow', 'proposed']);

/**
 * The booking rule has one way in (ADR 0026, "Paths around the reservation"): only the scheduling
 * service, which reserves the slot in the same transaction, books. Through /fhir a person (a
 * session or a user/patient-scoped app token) may neither write Schedule and Slot resources nor
 * create or change an Appointment's `slot` references: refused 422 business-rule, audited. An
 * integration (system) token may, for imports, but an Appointment it writes with a new `slot`
 * reference takes that slot's reservation in the same transaction as the write (returned here,
 * written by writePrepared), so a reserved slot refuses it (409) and a later booking of it does too.
 * Checked against the version the write will replace, like the final-note rule (final-note.ts).
 */
export async function checkSlotRule(
  deps: RecordDeps,
  ctx: RequestContext,
  body: Resource,
  id: string,
  head: { version: number; owner: string; deleted: boolean } | undefined,
  via: WriteVia,
): Promise<string[]> {
  if (via === 'scheduling') return [];
  const person = ctx.principal.kind === 'user';
  if (body.resourceType === 'Schedule' || body.resourceType === 'Slot') {
    if (person) await refuse(deps, ctx, body.resourceType, id, undefined);
    return [];
  }
  if (body.resourceType !== 'Appointment') return [];
  const before = await previousVersion(deps, ctx, id, head);
  const refsChanged = !sameList(slotIdsOf(body), before === undefined ? [] : slotIdsOf(before));
  // Status counts as much as the reference: un-cancelling an appointment takes its slot again,
  // cancelling one gives it back, so both are bookings (ADR 0026, "Paths around the reservation").
  const heldBefore = before === undefined ? [] : heldSlots(before);
  const heldNext = heldSlots(body);
  const added = heldNext.filter((s) => !heldBefore.includes(s));
  const released = heldBefore.some((s) => !heldNext.includes(s));
  if (!refsChanged && added.length === 0 && !released) return [];
  if (person) await refuse(deps, ctx, 'Appointment', id, head?.owner);
  return added;
}

/**
 * The same rule for a delete: a person may not delete a Schedule or Slot through /fhir, nor an
 * Appointment that holds a slot (that is a cancellation, which scheduling does).
 */
export async function checkSlotRuleOnDelete(
  deps: RecordDeps,
  ctx: RequestContext,
  resourceType: string,
  id: string,
  current: Record<string, unknown> | undefined,
  owner: string,
): Promise<void> {
  if (ctx.principal.kind !== 'user') return;
  if (resourceType === 'Schedule' || resourceType === 'Slot')
    await refuse(deps, ctx, resourceType, id, undefined);
  if (resourceType === 'Appointment' && current !== undefined && heldSlots(current).length > 0)
    await refuse(deps, ctx, resourceType, id, owner);
}

/**
 * The slots a stored Appointment version holds (written by writePrepared). Every Appointment
 * write gives back the reservations its new version no longer holds, whoever wrote it, so an
 * appointment an integration cancels or deletes through /fhir frees its slot rather than
 * blocking it for good.
 */
export function slotsHeldBy(json: Buffer): string[] {
  const r = JSON.parse(json.toString('utf8')) as Resource;
  if (NOT_HOLDING.has(String(r.status))) return [];
  return slotIdsOf(r).flatMap((ref) => /^Slot\/([A-Za-z0-9\-.]{1,64})$/.exec(ref)?.[1] ?? []);
}

/** None once cancelled, no-show, in error or only proposed; a tombstone has no `slot`. */
function heldSlots(r: Record<string, unknown>): string[] {
  if (NOT_HOLDING.has(String(r.status))) return [];
  return slotIdsOf(r).map((ref) => {
    const m = /^Slot\/([A-Za-z0-9\-.]{1,64})$/.exec(ref);
    if (!m) throw new FhirError(400, 'invalid', 'an Appointment slot reference must be Slot/{id}');
    return m[1]!;
  });
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function slotTakenError(): FhirError {
  return new FhirError(
    409,
    'conflict',
    'a referenced Slot is already reserved; nothing was written',
  );
}

async function previousVersion(
  deps: RecordDeps,
  ctx: RequestContext,
  id: string,
  head: { version: number; deleted: boolean } | undefined,
): Promise<Resource | undefined> {
  if (head === undefined || head.deleted) return undefined;
  const stored = await deps.resources.readVersion('Appointment', id, head.version);
  if (!stored) return undefined;
  return JSON.parse((await openOrFail(deps, ctx, stored, 'update')).toString('utf8')) as Resource;
}

function slotIdsOf(r: Record<string, unknown>): string[] {
  const slots = Array.isArray(r.slot) ? (r.slot as { reference?: unknown }[]) : [];
  return slots.map((s) => (typeof s?.reference === 'string' ? s.reference : ''));
}

async function refuse(
  deps: RecordDeps,
  ctx: RequestContext,
  resourceType: string,
  id: string,
  owner: string | undefined,
): Promise<never> {
  await audit(deps, [
    draft(ctx, {
      action: 'update',
      outcome: 'denied',
      resourceType,
      resourceId: id,
      ...(owner !== undefined && { patientId: patientIdOfOwner(owner) }),
      detail: { reason: 'booking-through-scheduling' },
    }),
  ]);
  throw new FhirError(
    422,
    'business-rule',
    'appointments are booked and slots changed through /api/scheduling, not through /fhir',
  );
}
