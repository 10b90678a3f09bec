import jsonPatch from 'fast-json-patch';
import type { RequestContext } from '../auth/index.js';
import { FhirError } from './errors.js';
import { readRecord, type RecordBytes } from './read-record.js';
import { updateRecord } from './write-record.js';
import { authorizeType } from './record-access.js';
import { assertType, type RecordDeps } from './record-context.js';

const MAX_OPERATIONS = 1000;

/**
 * FHIR patch with a JSON Patch document (RFC 6902): the current version, as the caller may read
 * it, is patched and written as an update on exactly that version — so a concurrent writer makes
 * this patch fail (409, or 412 with If-Match) instead of being overwritten. Elements the caller
 * may not see stay as stored (the update merges them back). The id, type and meta are the
 * server's; a patch that touches them, or fails a `test` operation, changes nothing.
 */
export async function patchRecord(
  deps: RecordDeps,
  ctx: RequestContext,
  resourceType: string,
  id: string,
  patch: unknown,
  ifMatch: number | undefined,
): Promise<{ record: RecordBytes }> {
  // Authorize first (ADR 0010): a caller who may not update learns nothing about the patch.
  assertType(resourceType);
  await authorizeType(deps, ctx, 'update', resourceType, id);
  const operations = readPatch(patch);
  const current = await readRecord(deps, ctx, resourceType, id);
  if (ifMatch !== undefined && ifMatch !== current.version)
    throw new FhirError(412, 'conflict', 'If-Match does not name the current version');
  const resource = JSON.parse(current.json.toString('utf8')) as Record<string, unknown>;
  let patched: unknown;
  try {
    patched = jsonPatch.applyPatch(resource, operations, true, false).newDocument;
  } catch (e) {
    // The library's message can quote values from the document: only its name goes out.
    const name = (e as { name?: unknown })?.name;
    if (name === 'TEST_OPERATION_FAILED')
      throw new FhirError(422, 'processing', 'a test operation of the patch did not hold');
    throw new FhirError(422, 'processing', 'the patch cannot be applied to this resource');
  }
  const { record } = await updateRecord(
    deps,
    ctx,
    resourceType,
    id,
    patched,
    ifMatch ?? current.version,
  );
  return { record };
}

function readPatch(patch: unknown): jsonPatch.Operation[] {
  if (!Array.isArray(patch) || patch.length === 0)
    throw new FhirError(400, 'invalid', 'a JSON Patch body is a non-empty array of operations');
  if (patch.length > MAX_OPERATIONS)
    throw new FhirError(400, 'too-costly', `a patch may hold at most ${MAX_OPERATIONS} operations`);
  const problem = jsonPatch.validate(patch as jsonPatch.Operation[]);
  if (problem) throw new FhirError(400, 'invalid', 'the body is not a valid JSON Patch document');
  for (const op of patch as jsonPatch.Operation[]) {
    for (const path of [op.path, (op as { from?: string }).from]) {
      if (path === undefined) continue;
      if (path === '' || /^\/(id|resourceType|meta)(\/|$)/.test(path))
        throw new FhirError(422, 'processing', 'a patch may not change the id, type or meta');
    }
  }
  return patch as jsonPatch.Operation[];
}
