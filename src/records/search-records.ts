import type { RequestContext } from '../auth/index.js';
import { FhirError } from './errors.js';
import { openOrFail } from './read-record.js';
import { assertType, audit, authorize, draft, type RecordDeps } from './record-context.js';
import {
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
 * each candidate is decrypted and filtered with exact FHIR semantics, sorted and paged. The
 * total counts only true matches, so nothing hidden leaks through counts or links.
 */
export async function searchRecords(
  deps: RecordDeps,
  ctx: RequestContext,
  resourceType: string,
  query: Array<[string, string]>,
): Promise<SearchPage> {
  assertType(resourceType);
  await authorize(deps, ctx, 'search', resourceType);
  let request: SearchRequest;
  try {
    request = parseSearchRequest(resourceType, query);
  } catch (e) {
    if (e instanceof SearchRequestError) {
      throw new FhirError(400, e.code === 'unsupported' ? 'not-supported' : 'invalid', e.message);
    }
    throw e;
  }
  const now = deps.clock();
  const tokenSets = candidateTermSets(request, now).map((terms) =>
    deps.sealed.tokensForTerms(terms),
  );
  const ids = await deps.resources.findIds(
    resourceType,
    tokenSets,
    MAX_CANDIDATES + 1,
    candidateColumns(request),
  );
  if (ids.length > MAX_CANDIDATES) {
    throw new FhirError(
      400,
      'too-costly',
      `the search matches more than ${MAX_CANDIDATES} records; add criteria to narrow it`,
    );
  }
  const stored = await deps.resources.readCurrentMany(resourceType, ids);
  const matches: { resource: Record<string, unknown>; owner: string }[] = [];
  for (const v of stored) {
    const json = await openOrFail(deps, ctx, v, 'search');
    const resource = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
    if (matchesSearch(resource, request, now)) matches.push({ resource, owner: v.owner });
  }
  matches.sort(
    (a, b) =>
      compareForSort(a.resource, b.resource, request.sort) || compareIds(a.resource, b.resource),
  );
  const page = request.summaryCount
    ? []
    : matches.slice(request.offset, request.offset + request.count);
  const params = [...new Set(query.map(([k]) => k))].sort();
  const patients = [
    ...new Set(page.map((m) => patientIdOfOwner(m.owner)).filter((p) => p !== undefined)),
  ];
  const detail = { params, total: matches.length, returned: page.length };
  await audit(
    deps,
    patients.length === 0
      ? [draft(ctx, { action: 'search', outcome: 'success', resourceType, detail })]
      : patients.map((patientId) =>
          draft(ctx, { action: 'search', outcome: 'success', resourceType, patientId, detail }),
        ),
  );
  return { request, total: matches.length, resources: page.map((m) => m.resource), query };
}

function compareIds(a: Record<string, unknown>, b: Record<string, unknown>): number {
  return String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0;
}
