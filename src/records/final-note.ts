import type { RequestContext } from '../auth/index.js';
import { FhirError } from './errors.js';
import { openOrFail } from './read-record.js';
import { audit, draft, type RecordDeps } from './record-context.js';
import { patientIdOfOwner } from './sealed-resources.js';

type Resource = Record<string, unknown> & { resourceType: string };

/**
 * A signed note is final (shared contract "Clinical note", ADR 0025). A DocumentReference whose
 * `docStatus` is `final` carries its `authenticator`, and is never edited afterwards: the one
 * update it accepts marks it `status: superseded` (its correction being a new note that
 * `relatesTo` it) or changes only its `meta` labels (release to the patient), its content
 * untouched. Checked against the very version the write will
 * replace (the write expects that version), so a concurrent edit cannot slip between the check
 * and the write. Called after the access checks, so it tells nothing to a caller without access.
 */
export async function checkFinalNote(
  deps: RecordDeps,
  ctx: RequestContext,
  body: Resource,
  id: string,
  head: { version: number; owner: string; deleted: boolean } | undefined,
): Promise<void> {
  if (body.resourceType !== 'DocumentReference') return;
  if (body.docStatus === 'final' && !hasAuthenticator(body)) {
    throw new FhirError(400, 'required', 'a signed (final) note must name its authenticator');
  }
  if (head === undefined || head.deleted) return;
  const stored = await deps.resources.readVersion('DocumentReference', id, head.version);
  if (!stored) return;
  const current = JSON.parse(
    (await openOrFail(deps, ctx, stored, 'update')).toString('utf8'),
  ) as Resource;
  if (current.docStatus !== 'final') return;
  if (isSupersedingOnly(current, body)) return;
  await audit(deps, [
    draft(ctx, {
      action: 'update',
      outcome: 'denied',
      resourceType: 'DocumentReference',
      resourceId: id,
      patientId: patientIdOfOwner(head.owner),
      detail: { reason: 'final-note' },
    }),
  ]);
  throw new FhirError(
    422,
    'business-rule',
    'a signed note is final: it may only be marked superseded by a new note',
  );
}

function hasAuthenticator(r: Resource): boolean {
  const a = r.authenticator as { reference?: unknown } | undefined;
  return typeof a?.reference === 'string' && a.reference.length > 0;
}

/**
 * The current version with its content unchanged: `status` kept or moved from current to
 * superseded. `meta` is not content (its release label is governed by the release right).
 */
function isSupersedingOnly(current: Resource, next: Resource): boolean {
  const superseding = current.status === 'current' && next.status === 'superseded';
  if (next.status !== current.status && !superseding) return false;
  return canonical(withoutServerFields(current)) === canonical(withoutServerFields(next));
}

function withoutServerFields(r: Resource): Record<string, unknown> {
  const { id: _id, meta: _meta, status: _status, ...rest } = r;
  return rest;
}

/** JSON with object keys sorted, so key order does not count as a change. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
