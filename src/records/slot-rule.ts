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
  const next = slotIdsOf(body);
  const before = await previousSlotIds(deps, ctx, id, head);
  const added = next.filter((s) => !before.includes(s));
  const changed = added.length > 0 || before.some((s) => !next.includes(s));
  if (!changed) return [];
  if (person) await refuse(deps, ctx, 'Appointment', id, head?.owner);
  if (NOT_HOLDING.has(String(body.status))) return [];
  return added.map((ref) => {
    const m = /^Slot\/([A-Za-z0-9\-.]{1,64})$/.exec(ref);
    if (!m) throw new FhirError(400, 'invalid', 'an Appointment slot reference must be Slot/{id}');
    return m[1]!;
  });
}

/** The same rule for a delete: a person may not delete a Schedule or Slot through /fhir. */
export async function checkSlotRuleOnDelete(
  deps: RecordDeps,
  ctx: RequestContext,
  resourceType: string,
  id: string,
): Promise<void> {
  if (ctx.principal.kind !== 'user') return;
  if (resourceType === 'Schedule' || resourceType === 'Slot')
    await refuse(deps, ctx, resourceType, id, undefined);
}

export function slotTakenError(): FhirError {
  return new FhirError(
    409,
    'conflict',
    'a referenced Slot is already reserved; nothing was written',
  );
}

async function previousSlotIds(
  deps: RecordDeps,
  ctx: RequestContext,
  id: string,
  head: { version: number; deleted: boolean } | undefined,
): Promise<string[]> {
  if (head === undefined || head.deleted) return [];
  const stored = await deps.resources.readVersion('Appointment', id, head.version);
  if (!stored) return [];
  const current = JSON.parse(
    (await openOrFail(deps, ctx, stored, 'update')).toString('utf8'),
  ) as Resource;
  return slotIdsOf(current);
}

function slotIdsOf(r: Resource): string[] {
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
