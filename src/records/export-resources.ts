import { withVisibleFields } from '../access/index.js';
import type { RequestContext } from '../auth/index.js';
import { FhirError } from './errors.js';
import { openOrFail } from './read-record.js';
import { assertType, type RecordDeps } from './record-context.js';
import { authorizeType, coveredBy } from './record-access.js';
import { SUPPORTED_TYPES } from './resource-types.js';
import { patientIdOfOwner } from './sealed-resources.js';

/** Records read per step of a bulk export (ids, then their current versions). */
const PAGE = 500;

/** What a Bulk Data export covers (FHIR Bulk Data Access IG, kick-off parameters). */
export interface ExportScope {
  /** `system`: every record; `patient`: every patient's compartment; `group`: these patients'. */
  level: 'system' | 'patient' | 'group';
  /** Patient ids of a group export (its members). */
  members?: readonly string[];
  /** `_type`; undefined means every type the caller may read. */
  types: readonly string[] | undefined;
  /** `_since` as an ISO instant: records last updated at or after it. */
  since: string | undefined;
}

export interface ExportedResource {
  resourceType: string;
  /** The resource as the caller may read it (withheld fields removed). */
  resource: Record<string, unknown>;
  /** The patient whose record it is, for the audit trail's accounting of disclosures. */
  patientId: string | undefined;
}

/**
 * The types an export will walk, decided before it starts: a `_type` the caller may not read
 * is refused (403, audited, as a read of that type would be); without `_type`, the types the
 * caller may not read are left out, as the Bulk Data IG says.
 */
export async function exportTypes(
  deps: RecordDeps,
  ctx: RequestContext,
  requested: readonly string[] | undefined,
): Promise<string[]> {
  if (requested !== undefined) {
    for (const t of requested) assertType(t);
    for (const t of requested) await authorizeType(deps, ctx, 'read', t);
    return [...new Set(requested)];
  }
  const out: string[] = [];
  for (const t of SUPPORTED_TYPES) {
    const d = await deps.access.decide(
      ctx.principal,
      { interaction: 'read', resourceType: t },
      ctx.policy,
    );
    if (d.allowed) out.push(t);
  }
  return out;
}

/**
 * Every record a bulk export holds, read exactly as the caller's reads are decided: the SQL
 * reach of their search (their patients only), then each record's owner decided for `read`, its
 * content conditions checked after decryption and its fields shaped. A record the caller could
 * not read one by one is never yielded. Decryption failures are audited and end the export.
 * Audit of what was exported is the caller's (src/bulk), once the whole set is known.
 */
export async function* exportResources(
  deps: RecordDeps,
  ctx: RequestContext,
  scope: ExportScope,
  types: readonly string[],
): AsyncGenerator<ExportedResource> {
  for (const type of types) {
    const reach = await deps.access.searchReach(ctx.principal, type);
    let patients = reach?.patients;
    if (scope.level === 'group') {
      const members = (scope.members ?? []).map((m) => `Patient/${m}`);
      patients = patients === undefined ? members : members.filter((m) => patients!.includes(m));
    }
    let after: string | undefined;
    for (;;) {
      const ids = await deps.resources.findIds(
        type,
        [],
        PAGE,
        {
          ...(scope.since !== undefined && { lastUpdatedFrom: scope.since }),
          ...(after !== undefined && { afterId: after }),
        },
        patients === undefined ? undefined : { patients },
      );
      if (ids.length === 0) break;
      after = ids[ids.length - 1];
      const stored = await deps.resources.readCurrentMany(type, ids);
      const decisions = await deps.access.decideEach(
        ctx.principal,
        'read',
        type,
        stored.map((v) => v.owner),
        ctx.policy,
      );
      stored.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      for (const v of stored) {
        const patientId = patientIdOfOwner(v.owner);
        // Patient and Group level: patients' compartments only.
        if (scope.level !== 'system' && patientId === undefined) continue;
        const decision = decisions.get(v.owner);
        if (!decision?.allowed) continue;
        const json = await openOrFail(deps, ctx, v, 'read');
        const resource = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
        if (!coveredBy(decision.grant, resource)) continue;
        yield {
          resourceType: type,
          resource: withVisibleFields(resource, decision.grant.fields),
          patientId,
        };
      }
      if (ids.length < PAGE) break;
    }
  }
}

/** Patient ids a group export is for: the Group's `member.entity` references to patients. */
export function groupMembers(group: Record<string, unknown>): string[] {
  const members = Array.isArray(group.member) ? (group.member as unknown[]) : [];
  const out: string[] = [];
  for (const m of members) {
    const ref = (m as { entity?: { reference?: unknown }; inactive?: unknown }).entity?.reference;
    if ((m as { inactive?: unknown }).inactive === true) continue;
    if (typeof ref !== 'string') continue;
    const match = /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(ref);
    if (!match) throw new FhirError(422, 'not-supported', 'a Group exports Patient members only');
    out.push(match[1]!);
  }
  return [...new Set(out)];
}
