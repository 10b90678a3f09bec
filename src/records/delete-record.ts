import type { RequestContext } from '../auth/index.js';
import { RelationNotPermittedError, VersionConflictError } from '../store/index.js';
import { careRelationsOf } from './care-relations.js';
import { FhirError } from './errors.js';
import { checkSlotRuleOnDelete } from './slot-rule.js';
import { openOrFail } from './read-record.js';
import {
  authorizeOwner,
  authorizeType,
  coveredBy,
  markEmergency,
  refuseContent,
} from './record-access.js';
import { assertId, assertType, draft, type RecordDeps } from './record-context.js';
import { patientIdOfOwner } from './sealed-resources.js';
import { errorCode, relationRefused, writePrepared } from './write-record.js';
import type { PreparedVersion } from './prepared-version.js';

/** What a delete did: the tombstone's version, or nothing when the record was already gone. */
export interface DeleteOutcome {
  version: number | undefined;
}

/**
 * FHIR delete: a new version that is a tombstone. The record then reads as gone (410) and
 * leaves every search, while its history stays readable to whoever may read it, for the
 * retention period; destroying data for good is disposal (`haven patient dispose`), not DELETE.
 * A delete ends the care relations the record held (a deleted CareTeam grants nothing).
 * A record the caller may not reach answers not-found, exactly as one that never existed.
 */
export async function deleteRecord(
  deps: RecordDeps,
  ctx: RequestContext,
  resourceType: string,
  id: string,
): Promise<DeleteOutcome> {
  assertType(resourceType);
  // Authorize first (ADR 0010): a caller who may not delete this type learns nothing more.
  await authorizeType(deps, ctx, 'delete', resourceType, id);
  assertId(id);
  const head = await deps.resources.head(resourceType, id);
  if (!head) throw new FhirError(404, 'not-found', 'no such resource');
  const grant = await authorizeOwner(deps, ctx, 'delete', resourceType, id, head.owner, 'hide');
  await checkSlotRuleOnDelete(deps, ctx, resourceType, id, undefined, head.owner);
  // Deleting what is already deleted changes nothing and succeeds, as R4 allows.
  if (head.deleted) return { version: undefined };
  const stored = await deps.resources.readCurrent(resourceType, id);
  if (!stored) throw new FhirError(404, 'not-found', 'no such resource');
  const current = JSON.parse(
    (await openOrFail(deps, ctx, stored, 'update')).toString('utf8'),
  ) as Record<string, unknown>;
  await checkSlotRuleOnDelete(deps, ctx, resourceType, id, current, head.owner);
  // A restricted grant (a field set, a condition) deletes only what it could read whole.
  if (grant.fields !== 'all' || grant.conditions.length > 0) {
    if (grant.fields !== 'all' || !coveredBy(grant, current))
      await refuseContent(deps, ctx, 'delete', resourceType, id, head.owner, 'forbid', 'content');
  }
  const version = head.version + 1;
  const lastUpdated = deps.clock().toISOString();
  const json = Buffer.from(
    JSON.stringify({ resourceType, id, meta: { versionId: String(version), lastUpdated } }),
    'utf8',
  );
  const p: PreparedVersion = {
    resourceType,
    id,
    version,
    expectedVersion: head.version,
    owner: head.owner,
    lastUpdated,
    json,
    sealed: await deps.sealed.seal(resourceType, id, version, head.owner, json),
    tokens: [],
    deleted: true,
    relations: careRelationsOf(current, head.owner) === undefined ? undefined : [],
  };
  if (p.relations !== undefined)
    p.encodedRelations = deps.relations.encode(resourceType, id, [], {
      authority: undefined,
      by: ctx.principal.id,
      byKind: ctx.principal.kind,
      at: lastUpdated,
    });
  const fields = {
    action: 'delete',
    resourceType,
    resourceId: id,
    resourceVersion: version,
    patientId: patientIdOfOwner(head.owner),
  } as const;
  try {
    await deps.audit.transact({
      run: (trx) => writePrepared(trx, p),
      onSuccess: () => [draft(ctx, markEmergency({ ...fields, outcome: 'success' }, grant))],
      onFailure: (e) => [
        draft(
          ctx,
          markEmergency({ ...fields, outcome: 'failure', detail: { error: errorCode(e) } }, grant),
        ),
      ],
    });
  } catch (e) {
    if (e instanceof RelationNotPermittedError) throw relationRefused();
    if (e instanceof VersionConflictError)
      throw new FhirError(409, 'conflict', 'the resource was changed by another request; retry');
    throw e;
  }
  return { version };
}
