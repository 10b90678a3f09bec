import type { RequestContext } from '../auth/index.js';
import { notFound } from './errors.js';
import { openOrFail } from './read-record.js';
import {
  assertId,
  assertType,
  audit,
  authorize,
  draft,
  type RecordDeps,
} from './record-context.js';
import { patientIdOfOwner } from './sealed-resources.js';

export interface HistoryEntry {
  resource: Record<string, unknown>;
  version: number;
  lastUpdated: string;
  deleted: boolean;
}

/** Instance history, newest first: every version ever written, none destroyed. */
export async function historyRecord(
  deps: RecordDeps,
  ctx: RequestContext,
  resourceType: string,
  id: string,
): Promise<HistoryEntry[]> {
  assertType(resourceType);
  assertId(id);
  await authorize(deps, ctx, 'history', resourceType, id);
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
  const entries: HistoryEntry[] = [];
  for (const v of versions) {
    const json = await openOrFail(deps, ctx, v, 'history');
    entries.push({
      resource: JSON.parse(json.toString('utf8')) as Record<string, unknown>,
      version: v.version,
      lastUpdated: v.lastUpdated,
      deleted: v.deleted,
    });
  }
  const patients = new Set(versions.map((v) => patientIdOfOwner(v.owner)));
  await audit(
    deps,
    [...patients].map((patientId) =>
      draft(ctx, {
        action: 'history',
        outcome: 'success',
        resourceType,
        resourceId: id,
        patientId,
        detail: { versions: versions.length },
      }),
    ),
  );
  return entries;
}
