import { expect } from 'vitest';
import {
  candidateTermSets,
  compareForSort,
  indexTerms,
  matchesSearch,
  parseSearchRequest,
  type IndexableResource,
  type SearchRequest,
} from '../../../../src/records/search/index.js';

/**
 * A stand-in for the database: resources with their term sets, queried the way the store will
 * (AND of ORs over blind-index terms), then filtered and sorted by the exact functions.
 */
export class TermStore {
  private readonly rows: Array<{ resource: IndexableResource; terms: Set<string> }>;

  constructor(resources: IndexableResource[]) {
    this.rows = resources.map((resource) => ({ resource, terms: new Set(indexTerms(resource)) }));
  }

  candidates(req: SearchRequest, now?: Date): IndexableResource[] {
    const sets = candidateTermSets(req, now);
    return this.rows
      .filter((row) => row.resource.resourceType === req.resourceType)
      .filter((row) => sets.every((set) => set.some((t) => row.terms.has(t))))
      .map((row) => row.resource);
  }

  /** Full two-phase search; also checks that no exact match was missed by the candidate phase. */
  search(req: SearchRequest, now: Date): IndexableResource[] {
    const candidates = new Set(this.candidates(req, now));
    const exact = this.rows.map((r) => r.resource).filter((r) => matchesSearch(r, req, now));
    for (const r of exact)
      expect(candidates.has(r), `candidate phase missed ${r.resourceType}/${r.id}`).toBe(true);
    return exact.sort((a, b) => compareForSort(a, b, req.sort));
  }

  query(
    resourceType: string,
    query: Array<[string, string]>,
    now = new Date('2025-06-01T00:00:00Z'),
  ): IndexableResource[] {
    return this.search(parseSearchRequest(resourceType, query), now);
  }
}

export function ids(resources: Array<{ id?: string }>): string[] {
  return resources.map((r) => r.id ?? '').sort();
}
