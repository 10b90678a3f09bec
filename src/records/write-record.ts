import type { RequestContext } from '../auth/index.js';
import {
  CareRelationRepository,
  RelationNotPermittedError,
  ResourceRepository,
  SchedulingRepository,
  SlotTakenError,
  VersionConflictError,
} from '../store/index.js';
import { careRelationsOf } from './care-relations.js';
import { checkBinary } from './binary.js';
import { FhirError } from './errors.js';
import { checkFinalNote } from './final-note.js';
import { checkSlotRule, slotsHeldBy, slotTakenError } from './slot-rule.js';
import { resolveOwner, type OwnersInBatch } from './owner.js';
import type { RecordBytes } from './read-record.js';
import type { Grant } from '../access/index.js';
import { authorizeType, markEmergency, shapeForGrant } from './record-access.js';
import { assertId, assertType, draft, type RecordDeps } from './record-context.js';
import { checkBeforeWrite, checkPrepared } from './write-access.js';
import { patientIdOfOwner } from './sealed-resources.js';
import { validateFhirResource } from './validate.js';
import type { PreparedVersion } from './prepared-version.js';

/**
 * Builds a new version outside any transaction: validation, server-owned meta, owner, sealing
 * and blind-index tokens. Only the write itself happens inside the group commit.
 */
export async function prepareVersion(
  deps: RecordDeps,
  body: Record<string, unknown>,
  id: string,
  version: number,
  expectedVersion: number | undefined,
  inBatch?: OwnersInBatch,
): Promise<PreparedVersion> {
  validateFhirResource(body);
  const resourceType = body.resourceType;
  if (resourceType === 'Binary')
    checkBinary(body as Record<string, unknown>, deps.binaryLimitBytes);
  const lastUpdated = deps.clock().toISOString();
  const { resourceType: _t, id: _i, meta, ...rest } = body as Record<string, unknown>;
  const resource = {
    resourceType,
    id,
    meta: { ...(meta as object | undefined), versionId: String(version), lastUpdated },
    ...rest,
  };
  const owner = await resolveOwner(deps.resources, resource, inBatch);
  const json = Buffer.from(JSON.stringify(resource), 'utf8');
  const sealed = await deps.sealed.seal(resourceType, id, version, owner, json);
  const tokens = deps.sealed.tokensFor(resource);
  const relations = careRelationsOf(resource, owner);
  return {
    resourceType,
    id,
    version,
    expectedVersion,
    owner,
    lastUpdated,
    json,
    sealed,
    tokens,
    relations,
  };
}

/** Writes a prepared version and the care relations it establishes, in the caller's transaction. */
export async function writePrepared(
  trx: Parameters<typeof ResourceRepository.writeVersion>[0],
  p: PreparedVersion,
): Promise<void> {
  await ResourceRepository.writeVersion(trx, {
    resourceType: p.resourceType,
    id: p.id,
    version: p.version,
    owner: p.owner,
    lastUpdated: p.lastUpdated,
    deleted: p.deleted === true,
    body: p.sealed,
    tokens: p.tokens,
    expectedVersion: p.expectedVersion,
  });
  // An integration's Appointment takes its new slots here, or the whole write fails.
  for (const slotId of p.reserveSlots ?? [])
    await SchedulingRepository.reserve(trx, slotId, p.id, p.lastUpdated);
  if (p.resourceType === 'Appointment') {
    const held = p.deleted === true ? [] : slotsHeldBy(p.json);
    await SchedulingRepository.releaseAllBut(trx, p.id, held);
    if (held.length === 0) await SchedulingRepository.dropReminder(trx, p.id);
  }
  if (p.relations === undefined) return;
  // Fail closed: relations that were never checked against the writer's authority are not written.
  if (p.encodedRelations === undefined) throw new RelationNotPermittedError();
  await CareRelationRepository.replaceForSource(trx, p.encodedRelations);
}

/** The response body: what was written, as the writer may see it (minimum necessary). */
function bytesOf(p: PreparedVersion, grant: Grant): RecordBytes {
  return {
    json: shapeForGrant(grant, p.json),
    resourceType: p.resourceType,
    id: p.id,
    version: p.version,
    lastUpdated: p.lastUpdated,
  };
}

/** FHIR create: the server assigns the id; any id in the body is ignored, as R4 says. */
export async function createRecord(
  deps: RecordDeps,
  ctx: RequestContext,
  resourceType: string,
  body: unknown,
): Promise<RecordBytes> {
  assertType(resourceType);
  const typeGrant = await authorizeType(deps, ctx, 'create', resourceType);
  assertBodyType(body, resourceType);
  const id = deps.newId();
  const check = await checkBeforeWrite(deps, ctx, 'create', typeGrant, body, id, undefined);
  await checkFinalNote(deps, ctx, check.body, id, undefined);
  const reserveSlots = await checkSlotRule(deps, ctx, check.body, id, undefined, 'fhir');
  const p = { ...(await prepareVersion(deps, check.body, id, 1, undefined)), reserveSlots };
  const grant = await checkPrepared(deps, ctx, 'create', check, p);
  try {
    await commit(deps, ctx, p, 'create', grant);
  } catch (e) {
    if (e instanceof SlotTakenError) throw slotTakenError();
    throw e instanceof RelationNotPermittedError ? relationRefused() : e;
  }
  return bytesOf(p, grant);
}

/**
 * FHIR update. With If-Match the write happens only on that version (412 otherwise); without
 * it the update builds on the current version and a concurrent writer gets 409. Updating an
 * id that does not exist creates it (update-as-create), as the CapabilityStatement declares.
 */
export async function updateRecord(
  deps: RecordDeps,
  ctx: RequestContext,
  resourceType: string,
  id: string,
  body: unknown,
  ifMatch: number | undefined,
): Promise<{ record: RecordBytes; created: boolean }> {
  assertType(resourceType);
  assertId(id);
  const typeGrant = await authorizeType(deps, ctx, 'update', resourceType, id);
  assertBodyType(body, resourceType);
  if (body.id !== id)
    throw new FhirError(400, 'invalid', 'the resource id in the body must match the id in the URL');
  const head = await deps.resources.head(resourceType, id);
  const current = head?.version;
  // Authorize first: a precondition answered before the access decision (412) would tell a
  // caller without access that the record exists.
  const check = await checkBeforeWrite(deps, ctx, 'update', typeGrant, body, id, head);
  if (ifMatch !== undefined && ifMatch !== current) {
    throw new FhirError(412, 'conflict', 'If-Match does not name the current version');
  }
  await checkFinalNote(deps, ctx, check.body, id, head);
  const reserveSlots = await checkSlotRule(deps, ctx, check.body, id, head, 'fhir');
  const p = {
    ...(await prepareVersion(deps, check.body, id, (current ?? 0) + 1, current)),
    reserveSlots,
  };
  const grant = await checkPrepared(deps, ctx, 'update', check, p);
  try {
    await commit(deps, ctx, p, 'update', grant);
  } catch (e) {
    if (e instanceof RelationNotPermittedError) throw relationRefused();
    if (e instanceof SlotTakenError) throw slotTakenError();
    if (e instanceof VersionConflictError) {
      throw ifMatch !== undefined
        ? new FhirError(412, 'conflict', 'If-Match does not name the current version')
        : new FhirError(409, 'conflict', 'the resource was changed by another request; retry');
    }
    throw e;
  }
  // Writing over a tombstone brings the record back: as R4 says, that is a create (201).
  return { record: bytesOf(p, grant), created: current === undefined || head?.deleted === true };
}

async function commit(
  deps: RecordDeps,
  ctx: RequestContext,
  p: PreparedVersion,
  action: 'create' | 'update',
  grant: Grant,
): Promise<void> {
  const fields = {
    action,
    resourceType: p.resourceType,
    resourceId: p.id,
    resourceVersion: p.version,
    patientId: patientIdOfOwner(p.owner),
  } as const;
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
}

function assertBodyType(
  body: unknown,
  resourceType: string,
): asserts body is Record<string, unknown> & { resourceType: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new FhirError(400, 'structure', 'the body must be a FHIR resource (a JSON object)');
  }
  if ((body as { resourceType?: unknown }).resourceType !== resourceType) {
    throw new FhirError(400, 'invalid', 'resourceType in the body does not match the URL');
  }
}

/** A relation only break-glass would have allowed: refused like any write out of reach. */
export function relationRefused(): FhirError {
  return new FhirError(403, 'forbidden', 'you may not write this record for this patient');
}

export function errorCode(e: unknown): string {
  return typeof (e as { code?: unknown })?.code === 'string'
    ? (e as { code: string }).code
    : 'error';
}
