import { isResourceType, tryGetDataType, type InternalTypeSchema } from '@medplum/core';

const SEGMENT = /^([A-Za-z][A-Za-z0-9]*(?:\[x\])?)(\[\d{1,6}\])?$/;

/**
 * The part of a validator's FHIRPath that names only elements the R4 StructureDefinitions
 * define: walking from the resource type, the path is cut at the first segment that is not an
 * element of the type reached so far. An unknown element's name is the client's own text (it may
 * be a record number or a person's name put where a key goes), so what comes back is the nearest
 * known parent, e.g. `Patient.name[0]` for `Patient.name[0].<anything unknown>`.
 *
 * Every segment returned is an element name from the definitions or a numeric index, so nothing
 * the client wrote can pass through, whatever characters its keys contain.
 */
export function knownPath(expression: string): string | undefined {
  const segments = expression.split('.');
  const root = segments[0]!;
  if (!isResourceType(root)) return undefined;
  let types: InternalTypeSchema[] = [tryGetDataType(root)!];
  const kept: string[] = [root];
  for (const segment of segments.slice(1)) {
    const m = SEGMENT.exec(segment);
    const element = m ? elementOf(types, m[1]!) : undefined;
    if (!m || !element) break;
    kept.push(segment);
    // A choice (value[x]) or a contained Resource could be any of several types: descend into
    // every candidate, so a later segment is kept only if one of them defines it.
    types = element.type
      .map((t) => tryGetDataType(t.code))
      .filter((t): t is InternalTypeSchema => t !== undefined);
    if (types.length === 0) break;
  }
  return kept.join('.');
}

function elementOf(types: InternalTypeSchema[], name: string) {
  for (const t of types) {
    const e = t.elements[name];
    if (e) return e;
  }
  return undefined;
}
