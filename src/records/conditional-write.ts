import type { RequestContext } from '../auth/index.js';
import { CONDITIONAL_CREATES, matchCriteria, parseCriteria } from './conditional-create.js';
import { deleteRecord, type DeleteOutcome } from './delete-record.js';
import { FhirError } from './errors.js';
import { oneAtATime } from './one-at-a-time.js';
import { authorizeType } from './record-access.js';
import { assertType } from './record-context.js';
import type { RecordBytes } from './read-record.js';
import { createRecord, updateRecord } from './write-record.js';

const severalMatch = (what: string) =>
  new FhirError(412, 'multiple-matches', `the ${what} criteria match more than one resource`);

/**
 * Conditional update (`PUT Type?criteria`), as R4 defines it: one match is updated (a body id,
 * if given, must be that match's), none creates a new record with a server id, several answer
 * 412. Matching searches as the caller, so a record they may not see is neither found nor
 * revealed; it runs under the conditional-create lease, since its "none" also creates.
 */
export async function conditionalUpdate(
  deps: Parameters<typeof createRecord>[0],
  ctx: RequestContext,
  resourceType: string,
  body: unknown,
  criteria: string,
  ifMatch: number | undefined,
): Promise<{ record: RecordBytes; created: boolean }> {
  // Authorize first (ADR 0010): a caller who may not update this type learns nothing from a search.
  assertType(resourceType);
  await authorizeType(deps, ctx, 'update', resourceType);
  const pairs = parseCriteria(criteria, 'A conditional update');
  return oneAtATime(deps, CONDITIONAL_CREATES, async () => {
    const match = await matchCriteria(deps, ctx, resourceType, pairs);
    if (match.kind === 'several') throw severalMatch('conditional update');
    const bodyId = idOf(body);
    if (match.kind === 'one') {
      if (bodyId !== undefined && bodyId !== match.id)
        throw new FhirError(400, 'invalid', 'the resource id is not that of the matching record');
      return updateRecord(deps, ctx, resourceType, match.id, withId(body, match.id), ifMatch);
    }
    if (bodyId !== undefined)
      throw new FhirError(
        400,
        'invalid',
        'nothing matches, so this creates a new record: leave the id out, the server assigns it',
      );
    if (ifMatch !== undefined)
      throw new FhirError(412, 'conflict', 'If-Match names a version, but nothing matches');
    return { record: await createRecord(deps, ctx, resourceType, body), created: true };
  });
}

/**
 * Conditional delete (`DELETE Type?criteria`), single-match mode: one match is deleted as a
 * FHIR delete (tombstone, history kept), none changes nothing, several answer 412 and delete
 * nothing.
 */
export async function conditionalDelete(
  deps: Parameters<typeof deleteRecord>[0],
  ctx: RequestContext,
  resourceType: string,
  criteria: string,
): Promise<DeleteOutcome> {
  assertType(resourceType);
  await authorizeType(deps, ctx, 'delete', resourceType);
  const pairs = parseCriteria(criteria, 'A conditional delete');
  const match = await matchCriteria(deps, ctx, resourceType, pairs);
  if (match.kind === 'several') throw severalMatch('conditional delete');
  if (match.kind === 'none') return { version: undefined };
  return deleteRecord(deps, ctx, resourceType, match.id);
}

function idOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const id = (body as { id?: unknown }).id;
  return id === undefined ? undefined : String(id);
}

function withId(body: unknown, id: string): unknown {
  return typeof body === 'object' && body !== null ? { ...body, id } : body;
}
