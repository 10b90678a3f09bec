import type { RequestContext } from '../auth/index.js';
import { IntegrityError, KeyDestroyedError, KeyUnavailableError } from '../crypto/index.js';
import type { StoredVersion } from '../store/index.js';
import { FhirError, notFound } from './errors.js';
import { assertId, assertType, audit, draft, type RecordDeps } from './record-context.js';
import {
  authorizeOwner,
  authorizeType,
  coveredBy,
  markEmergency,
  refuseContent,
  shapeForGrant,
} from './record-access.js';
import { patientIdOfOwner } from './sealed-resources.js';

export interface RecordBytes {
  /** The resource's JSON exactly as stored (meta included). */
  json: Buffer;
  resourceType: string;
  id: string;
  version: number;
  lastUpdated: string;
}

/**
 * read and vread: decrypt, then record the access durably, then (and only then) hand the
 * bytes back. A failure to decrypt is recorded and served as an error without content.
 */
export async function readRecord(
  deps: RecordDeps,
  ctx: RequestContext,
  resourceType: string,
  id: string,
  version?: number,
  opts: { download?: boolean } = {},
): Promise<RecordBytes> {
  assertType(resourceType);
  assertId(id);
  const interaction = version === undefined ? 'read' : 'vread';
  await authorizeType(deps, ctx, interaction, resourceType, id);
  // A Binary sent as its raw content is an attachment download, and is recorded as one.
  const action = opts.download ? 'attachment-download' : interaction;
  const stored =
    version === undefined
      ? await deps.resources.readCurrent(resourceType, id)
      : await deps.resources.readVersion(resourceType, id, version);
  if (!stored) {
    await audit(deps, [
      draft(ctx, {
        action,
        outcome: 'failure',
        resourceType,
        resourceId: id,
        resourceVersion: version,
        detail: { error: 'not-found' },
      }),
    ]);
    throw notFound();
  }
  // The patient the stored version belongs to decides, before anything is decrypted.
  const grant = await authorizeOwner(
    deps,
    ctx,
    interaction,
    resourceType,
    id,
    stored.owner,
    'hide',
  );
  const json = await openOrFail(deps, ctx, stored, action);
  if (
    grant.conditions.length > 0 &&
    !coveredBy(grant, JSON.parse(json.toString('utf8')) as Record<string, unknown>)
  ) {
    await refuseContent(deps, ctx, interaction, resourceType, id, stored.owner, 'hide', 'content');
  }
  await audit(deps, [
    draft(
      ctx,
      markEmergency(
        {
          action,
          outcome: 'success',
          resourceType,
          resourceId: id,
          resourceVersion: stored.version,
          patientId: patientIdOfOwner(stored.owner),
        },
        grant,
      ),
    ),
  ]);
  if (stored.deleted) throw new FhirError(410, 'deleted', 'the resource was deleted');
  return {
    json: shapeForGrant(grant, json),
    resourceType,
    id,
    version: stored.version,
    lastUpdated: stored.lastUpdated,
  };
}

/** Decrypts one stored version; integrity and key failures are audited and fail closed. */
export async function openOrFail(
  deps: RecordDeps,
  ctx: RequestContext,
  stored: StoredVersion,
  action: 'read' | 'vread' | 'history' | 'search' | 'update' | 'attachment-download',
): Promise<Buffer> {
  try {
    return await deps.sealed.open(stored);
  } catch (e) {
    const code =
      e instanceof IntegrityError
        ? 'integrity'
        : e instanceof KeyDestroyedError
          ? 'key-destroyed'
          : e instanceof KeyUnavailableError
            ? 'key-unavailable'
            : 'decrypt-failed';
    await audit(deps, [
      draft(ctx, {
        action,
        outcome: 'failure',
        resourceType: stored.resourceType,
        resourceId: stored.id,
        resourceVersion: stored.version,
        patientId: patientIdOfOwner(stored.owner),
        detail: { error: code },
      }),
    ]);
    if (code === 'key-destroyed') throw new FhirError(410, 'deleted', 'the record was disposed of');
    if (code === 'integrity')
      throw new FhirError(500, 'exception', 'the stored record failed its integrity check');
    // The cause (which KEK, which keyring) reaches the log, never the answer.
    throw Object.assign(new FhirError(503, 'transient', 'the record key is unavailable'), {
      cause: e,
    });
  }
}
