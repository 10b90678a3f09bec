import type { RequestContext } from '../auth/index.js';
import { notFound } from './errors.js';
import { openOrFail } from './read-record.js';
import {
  allowedOrRefuse,
  authorizeType,
  coveredBy,
  markEmergency,
  refuseContent,
} from './record-access.js';
import { withVisibleFields } from '../access/index.js';
import { assertId, assertType, audit, draft, type RecordDeps } from './record-context.js';
import { patientIdOfOwner } from './sealed-resources.js';

export interface HistoryEntry {
  resource: Record<string, unknown>;
  version: number;
  lastUpdated: string;
  deleted: boolean;
}

/**
 * Instance history, newest first: every version ever written, none destroyed. Each version is
 * decided by the patient it belonged to then, so moving a record to another patient does not
 * open its earlier versions to the new patient's clinicians; versions the caller may not see are
 * left out, and if none is left the resource is "not found".
 */
export async function historyRecord(
  deps: RecordDeps,
  ctx: RequestContext,
  resourceType: string,
  id: string,
): Promise<HistoryEntry[]> {
  assertType(resourceType);
  assertId(id);
  await authorizeType(deps, ctx, 'history', resourceType, id);
  const versions = await deps.resources.history(resourceType, id);
  if (versions.length === 0) {
    await audit(deps, [
      draft(ctx, {
        action: 'history',
        outcome: 'failure',
        resourceType,
        resourceId: id,
        detail: { error: 'not-found' },
      }),
    ]);
    throw notFound();
  }
  const decisions = await deps.access.decideEach(
    ctx.principal,
    'history',
    resourceType,
    versions.map((v) => v.owner),
    ctx.policy,
  );
  const current = versions[0]!;
  // The current version's patient decides whether the resource exists for this caller at all.
  const grant = await allowedOrRefuse(
    deps,
    ctx,
    decisions.get(current.owner)!,
    'history',
    resourceType,
    id,
    current.owner,
    'hide',
  );
  const entries: HistoryEntry[] = [];
  const shown: typeof versions = [];
  for (const v of versions) {
    const d = decisions.get(v.owner)!;
    if (!d.allowed) continue;
    const json = await openOrFail(deps, ctx, v, 'history');
    const resource = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
    if (!v.deleted && !coveredBy(d.grant, resource)) continue;
    shown.push(v);
    entries.push({
      resource: withVisibleFields(resource, d.grant.fields),
      version: v.version,
      lastUpdated: v.lastUpdated,
      deleted: v.deleted,
    });
  }
  // A record withdrawn from the caller (e.g. a result no longer released) hides its past too.
  if (shown[0] !== current)
    await refuseContent(deps, ctx, 'history', resourceType, id, current.owner, 'hide', 'content');
  const patients = new Set(shown.map((v) => patientIdOfOwner(v.owner)));
  await audit(
    deps,
    [...patients].map((patientId) =>
      draft(
        ctx,
        markEmergency(
          {
            action: 'history',
            outcome: 'success',
            resourceType,
            resourceId: id,
            patientId,
            detail: { versions: entries.length },
          },
          grant,
        ),
      ),
    ),
  );
  return entries;
}
