import type { RequestContext } from '../auth/index.js';
import { FhirError } from './errors.js';
import { openOrFail } from './read-record.js';
import { visibleFields, withVisibleFields, type Grant } from '../access/index.js';
import { assertType, audit, draft, type RecordDeps } from './record-context.js';
import { authorizeType, coveredBy, markEmergency } from './record-access.js';
import {
  searchParameters,
  candidateColumns,
  candidateTermSets,
  compareForSort,
  matchesSearch,
  parseSearchRequest,
  SearchRequestError,
  type SearchRequest,
} from './search/index.js';
import { patientIdOfOwner } from './sealed-resources.js';

/** Above this many candidates a search must be narrowed: each candidate is decrypted to filter it. */
export const MAX_CANDIDATES = 10_000;

export interface SearchPage {
  request: SearchRequest;
  total: number;
  resources: Record<string, unknown>[];
  query: Array<[string, string]>;
}

/**
 * Two-phase search over encrypted data: blind-index tokens find a superset of candidates, then
 * each candidate is decrypted and filtered with exact FHIR semantics, sorted and paged. Only
 * records the caller may see are candidates at all (their patients are filtered in SQL, their
 * content conditions checked after decryption), and the total counts only those, so nothing
 * hidden leaks through counts or links.
 */
export async function searchRecords(
  deps: RecordDeps,
  ctx: RequestContext,
  resourceType: string,
  query: Array<[string, string]>,
): Promise<SearchPage> {
  assertType(resourceType);
  const typeGrant = await authorizeType(deps, ctx, 'search', resourceType);
  let request: SearchRequest;
  try {
    request = parseSearchRequest(resourceType, query);
  } catch (e) {
    if (e instanceof SearchRequestError) {
      throw new FhirError(400, e.code === 'unsupported' ? 'not-supported' : 'invalid', e.message);
    }
    throw e;
  }
  if (searchesHiddenField(request, typeGrant)) {
    await audit(deps, [
      draft(ctx, {
        action: 'search',
        outcome: 'denied',
        resourceType,
        detail: { reason: 'field-not-visible' },
      }),
    ]);
    throw new FhirError(403, 'forbidden', 'you may not search or sort by that parameter');
  }
  const reach = await deps.access.searchReach(ctx.principal, resourceType);
  const now = deps.clock();
  const tokenSets = candidateTermSets(request, now).map((terms) =>
    deps.sealed.tokensForTerms(terms),
  );
  const ids = await deps.resources.findIds(
    resourceType,
    tokenSets,
    MAX_CANDIDATES + 1,
    candidateColumns(request),
    reach,
  );
  if (ids.length > MAX_CANDIDATES) {
    throw new FhirError(
      400,
      'too-costly',
      `the search matches more than ${MAX_CANDIDATES} records; add criteria to narrow it`,
    );
  }
  const stored = await deps.resources.readCurrentMany(resourceType, ids);
  const decisions = await deps.access.decideEach(
    ctx.principal,
    'search',
    resourceType,
    stored.map((v) => v.owner),
    ctx.policy,
  );
  const matches: { resource: Record<string, unknown>; owner: string; grant: Grant }[] = [];
  for (const v of stored) {
    const decision = decisions.get(v.owner);
    if (!decision?.allowed) continue; // the SQL reach already excludes these; checked again here
    const json = await openOrFail(deps, ctx, v, 'search');
    const resource = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
    if (matchesSearch(resource, request, now) && coveredBy(decision.grant, resource))
      matches.push({ resource, owner: v.owner, grant: decision.grant });
  }
  matches.sort(
    (a, b) =>
      compareForSort(a.resource, b.resource, request.sort) || compareIds(a.resource, b.resource),
  );
  const page = request.summaryCount
    ? []
    : matches.slice(request.offset, request.offset + request.count);
  const params = [...new Set(query.map(([k]) => k))].sort();
  const byPatient = new Map<string, Grant>();
  // A count discloses something about every patient it counted, so _summary=count names them all.
  for (const m of request.summaryCount ? matches : page) {
    const p = patientIdOfOwner(m.owner);
    if (p !== undefined) byPatient.set(p, m.grant);
  }
  const detail = { params, total: matches.length, returned: page.length };
  await audit(
    deps,
    byPatient.size === 0
      ? [draft(ctx, { action: 'search', outcome: 'success', resourceType, detail })]
      : [...byPatient].map(([patientId, grant]) =>
          draft(
            ctx,
            markEmergency(
              { action: 'search', outcome: 'success', resourceType, patientId, detail },
              grant,
            ),
          ),
        ),
  );
  return {
    request,
    total: matches.length,
    resources: page.map((m) => withVisibleFields(m.resource, m.grant.fields)),
    query,
  };
}

/**
 * Minimum necessary applies to questions as well as answers: a caller who may not see an
 * element may not search or sort by it either (a match would reveal its value).
 */
function searchesHiddenField(request: SearchRequest, grant: Grant): boolean {
  const visible = visibleFields(grant.fields);
  if (!visible) return false;
  const params = [...request.criteria.map((c) => c.param), ...request.sort.map((k) => k.param)];
  return params.some((name) => {
    const def = searchParameters()[request.resourceType]?.[name];
    const roots = (def?.paths ?? [name]).map((p) => p.split('.')[0]!);
    return !roots.every((r) => visible.has(r));
  });
}

function compareIds(a: Record<string, unknown>, b: Record<string, unknown>): number {
  return String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0;
}
