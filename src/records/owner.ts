import type { ResourceRepository } from '../store/index.js';
import { FhirError } from './errors.js';
import { patientCompartmentRef } from './search/index.js';

/**
 * Owners of the resources a transaction is writing, by `Type/id`: what a reference to one of
 * them resolves to before any of them is stored.
 */
export type OwnersInBatch = ReadonlyMap<string, string>;

const NONE: OwnersInBatch = new Map();
const REFERENCE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;

/**
 * The record owner whose data key seals a resource: the patient whose compartment it is in, or
 * the resource itself (a Practitioner, an Organization). A Binary belongs to its
 * securityContext's owner, so an attachment is shredded with the patient it belongs to.
 */
export async function resolveOwner(
  resources: ResourceRepository,
  resource: Record<string, unknown> & { resourceType: string; id: string },
  inBatch: OwnersInBatch = NONE,
): Promise<string> {
  if (resource.resourceType === 'Binary') {
    const ctx = securityContextOf(resource);
    if (ctx !== undefined) return ownerOfReference(resources, ctx, inBatch, 'securityContext');
    return `Binary/${resource.id}`;
  }
  const ref = patientCompartmentRef(resource);
  if (ref === undefined) return `${resource.resourceType}/${resource.id}`;
  if (ref === `Patient/${resource.id}` && resource.resourceType === 'Patient') return ref;
  await ownerOfReference(resources, ref, inBatch, 'subject');
  return ref;
}

/** A Binary's securityContext reference, when it has one. */
export function securityContextOf(resource: Record<string, unknown>): string | undefined {
  const ref = (resource.securityContext as { reference?: unknown } | undefined)?.reference;
  return typeof ref === 'string' ? ref : undefined;
}

/**
 * The owner a reference stands for without refusing anything: the stored record's owner, the
 * owner of a resource written in the same transaction, or, for a record that does not exist,
 * the reference itself (which reaches no patient, so only a principal who may write anywhere
 * gets past the access decision to learn that it does not exist). Undefined for a malformed one.
 */
export async function ownerForDecision(
  resources: ResourceRepository,
  ref: string,
  inBatch: OwnersInBatch = NONE,
): Promise<string | undefined> {
  const m = REFERENCE.exec(ref);
  if (!m) return undefined;
  const batched = inBatch.get(ref);
  if (batched !== undefined) return batched;
  const head = await resources.head(m[1]!, m[2]!);
  return head && !head.deleted ? head.owner : ref;
}

/**
 * Owners of a transaction's resources, computed from their (reference-rewritten) content before
 * anything is written: a Binary whose securityContext is a DocumentReference in the same
 * Bundle belongs to that DocumentReference's patient, not to the DocumentReference.
 */
export function ownersInBatch(
  resources: ReadonlyArray<Record<string, unknown> & { resourceType: string; id: string }>,
): OwnersInBatch {
  const byRef = new Map(resources.map((r) => [`${r.resourceType}/${r.id}`, r]));
  const owners = new Map<string, string>();
  const ownerOf = (ref: string, seen: ReadonlySet<string>): string | undefined => {
    if (owners.has(ref)) return owners.get(ref);
    const r = byRef.get(ref)!;
    const binary = r.resourceType === 'Binary';
    const target = binary ? securityContextOf(r) : patientCompartmentRef(r);
    let owner: string | undefined;
    if (target === undefined || target === ref)
      owner = ref; // its own owner (a Patient…)
    else if (byRef.has(target))
      owner = seen.has(target) ? undefined : ownerOf(target, new Set([...seen, ref]));
    // Outside the Bundle: a patient reference is the owner; a Binary's context is looked up
    // (and must exist) when it is written.
    else owner = binary ? undefined : target;
    if (owner !== undefined) owners.set(ref, owner);
    return owner;
  };
  for (const ref of byRef.keys()) ownerOf(ref, new Set());
  return owners;
}

async function ownerOfReference(
  resources: ResourceRepository,
  ref: string,
  inBatch: OwnersInBatch,
  field: string,
): Promise<string> {
  const m = REFERENCE.exec(ref);
  if (!m) throw new FhirError(400, 'invalid', `${field} must be a relative reference Type/id`);
  const batched = inBatch.get(ref);
  if (batched !== undefined) return batched;
  const head = await resources.head(m[1]!, m[2]!);
  if (!head || head.deleted)
    throw new FhirError(400, 'invalid', `${field} refers to a resource that does not exist`);
  return head.owner;
}
