import { isLaboratory } from '../access/index.js';
import type { CareRelation } from '../store/index.js';

/** The types whose writes create or remove care relations. */
const SOURCES = new Set(['CareTeam', 'Appointment', 'ServiceRequest']);

/** Statuses after which a resource no longer relates anyone to the patient. */
const ENDED: Readonly<Record<string, ReadonlySet<string>>> = {
  CareTeam: new Set(['inactive', 'entered-in-error', 'suspended']),
  Appointment: new Set(['cancelled', 'entered-in-error', 'noshow']),
  ServiceRequest: new Set(['revoked', 'entered-in-error']),
};

type Ref = { reference?: unknown } | undefined;

/**
 * The relations one version of a resource establishes with its patient (`owner`): a CareTeam's
 * Practitioner members, an Appointment's Practitioner participants (not those who declined),
 * and a laboratory ServiceRequest's order. Undefined for other types, whose writes leave
 * relations alone; an empty list removes what an earlier version established.
 */
export function careRelationsOf(
  resource: Record<string, unknown>,
  owner: string,
): CareRelation[] | undefined {
  const type = resource.resourceType as string;
  if (!SOURCES.has(type)) return undefined;
  const status = resource.status;
  if (!owner.startsWith('Patient/') || (typeof status === 'string' && ENDED[type]!.has(status)))
    return [];
  const patient = owner;
  switch (type) {
    case 'CareTeam':
      return practitioners(
        asArray(resource.participant).map((p) => (p as { member?: Ref })?.member),
      ).map((practitioner) => ({ kind: 'care-team', practitioner, patient }));
    case 'Appointment':
      return practitioners(
        asArray(resource.participant)
          .filter((p) => (p as { status?: unknown })?.status !== 'declined')
          .map((p) => (p as { actor?: Ref })?.actor),
      ).map((practitioner) => ({ kind: 'appointment', practitioner, patient }));
    default:
      return isLaboratory(resource) ? [{ kind: 'lab-order', practitioner: '', patient }] : [];
  }
}

function practitioners(refs: Ref[]): string[] {
  return refs
    .map((r) => r?.reference)
    .filter(
      (r): r is string => typeof r === 'string' && /^Practitioner\/[A-Za-z0-9\-.]{1,64}$/.test(r),
    );
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
