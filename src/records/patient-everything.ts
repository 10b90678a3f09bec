import { withVisibleFields, type Grant } from '../access/index.js';
import type { RequestContext } from '../auth/index.js';
import { FhirError, notFound } from './errors.js';
import { openOrFail } from './read-record.js';
import { authorizeOwner, authorizeType, coveredBy, markEmergency } from './record-access.js';
import { assertId, audit, draft, type RecordDeps } from './record-context.js';
import { MAX_CANDIDATES } from './search-records.js';

/**
 * `Patient/$everything`: the patient and every live resource in their compartment (everything
 * sealed under their data key, attachments included), limited to what the caller may read —
 * types, content conditions (a patient gets released results only) and fields. Recorded as one
 * export of the patient's record.
 */
export async function patientEverything(
  deps: RecordDeps,
  ctx: RequestContext,
  patientId: string,
  query: Array<[string, string]>,
): Promise<Record<string, unknown>[]> {
  assertId(patientId);
  const requested = parseTypes(query);
  await authorizeType(deps, ctx, 'read', 'Patient', patientId);
  const patient = await deps.resources.head('Patient', patientId);
  if (!patient || patient.deleted) {
    await audit(deps, [
      draft(ctx, {
        action: 'export',
        outcome: 'failure',
        resourceType: 'Patient',
        resourceId: patientId,
        detail: { error: 'not-found' },
      }),
    ]);
    throw notFound();
  }
  const owner = `Patient/${patientId}`;
  const patientGrant = await authorizeOwner(deps, ctx, 'read', 'Patient', patientId, owner, 'hide');
  const owned = await deps.resources.idsByOwner(`Patient/${patientId}`, requested ?? []);
  if (owned.length > MAX_CANDIDATES) {
    throw new FhirError(
      400,
      'too-costly',
      `the record holds more than ${MAX_CANDIDATES} resources; narrow it with _type`,
    );
  }
  const byType = new Map<string, string[]>();
  for (const { resourceType, id } of owned)
    byType.set(resourceType, [...(byType.get(resourceType) ?? []), id]);
  const resources: Record<string, unknown>[] = [];
  const included = new Set<string>();
  for (const [type, ids] of byType) {
    const decision = await deps.access.decide(
      ctx.principal,
      { interaction: 'read', resourceType: type, owner },
      ctx.policy,
    );
    if (!decision.allowed) continue;
    for (const stored of await deps.resources.readCurrentMany(type, ids)) {
      const json = await openOrFail(deps, ctx, stored, 'read');
      const resource = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
      if (!coveredBy(decision.grant, resource)) continue;
      resources.push(withVisibleFields(resource, decision.grant.fields));
      included.add(type);
    }
  }
  await audit(deps, [
    draft(
      ctx,
      markEmergency(
        {
          action: 'export',
          outcome: 'success',
          resourceType: 'Patient',
          resourceId: patientId,
          patientId,
          detail: { resources: resources.length, types: [...included].sort() },
        },
        patientGrant as Grant,
      ),
    ),
  ]);
  return resources;
}

function parseTypes(query: Array<[string, string]>): string[] | undefined {
  let types: string[] | undefined;
  for (const [k, v] of query) {
    if (k !== '_type')
      throw new FhirError(400, 'not-supported', 'Patient/$everything takes only _type here');
    const list = v.split(',').filter((t) => /^[A-Z][A-Za-z]{1,63}$/.test(t));
    if (list.length === 0) throw new FhirError(400, 'invalid', '_type must list resource types');
    types = [...(types ?? []), ...list];
  }
  return types;
}
