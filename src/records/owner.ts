import type { ResourceRepository } from '../store/index.js';
import { FhirError } from './errors.js';
import { patientCompartmentRef } from './search/index.js';

/**
 * The record owner whose data key seals a resource: the patient whose compartment it is in, or
 * the resource itself (a Practitioner, an Organization). A Binary belongs to its
 * securityContext's owner, so an attachment is shredded with the patient it belongs to.
 */
export async function resolveOwner(
  resources: ResourceRepository,
  resource: Record<string, unknown> & { resourceType: string; id: string },
  createdInSameBatch: ReadonlySet<string> = new Set(),
): Promise<string> {
  if (resource.resourceType === 'Binary') {
    const ctx = (resource.securityContext as { reference?: unknown } | undefined)?.reference;
    if (typeof ctx === 'string')
      return ownerOfReference(resources, ctx, createdInSameBatch, 'securityContext');
    return `Binary/${resource.id}`;
  }
  const ref = patientCompartmentRef(resource);
  if (ref === undefined) return `${resource.resourceType}/${resource.id}`;
  if (ref === `Patient/${resource.id}` && resource.resourceType === 'Patient') return ref;
  await mustExist(resources, ref, createdInSameBatch, 'subject');
  return ref;
}

async function ownerOfReference(
  resources: ResourceRepository,
  ref: string,
  createdInSameBatch: ReadonlySet<string>,
  field: string,
): Promise<string> {
  const m = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(ref);
  if (!m) throw new FhirError(400, 'invalid', `${field} must be a relative reference Type/id`);
  if (createdInSameBatch.has(ref)) return m[1] === 'Patient' ? ref : `${m[1]}/${m[2]}`;
  const head = await resources.head(m[1]!, m[2]!);
  if (!head || head.deleted)
    throw new FhirError(400, 'invalid', `${field} refers to a resource that does not exist`);
  return head.owner;
}

async function mustExist(
  resources: ResourceRepository,
  ref: string,
  createdInSameBatch: ReadonlySet<string>,
  field: string,
): Promise<void> {
  await ownerOfReference(resources, ref, createdInSameBatch, field);
}
