import type { Criterion, DateQuery, SearchRequest } from './types.js';

/**
 * Parameters served from plaintext columns the store already keeps (the resource id and its
 * lastUpdated instant) instead of blind-index terms: indexing them would add 14 token rows to
 * every write and protect nothing that the columns do not already show.
 */
export const COLUMN_PARAMS: ReadonlySet<string> = new Set(['_id', '_lastUpdated']);

export interface ColumnCriteria {
  /** Candidates must have one of these ids (AND of several `_id` criteria: intersection). */
  ids?: string[];
  /** Candidates' lastUpdated (ISO UTC) must lie in [from, to). */
  lastUpdatedFrom?: string;
  lastUpdatedTo?: string;
}

const DAY_MS = 86_400_000;

/**
 * The database phase for column parameters: a superset of the matches (a day of margin on
 * lastUpdated bounds); the exact filter after decryption applies the R4 semantics.
 */
export function candidateColumns(req: SearchRequest): ColumnCriteria {
  const out: ColumnCriteria = {};
  for (const c of req.criteria) {
    if (c.param === '_id' && c.kind === 'token' && !c.negate) {
      const ids = c.values.flatMap((q) => (q.code !== undefined && !q.system ? [q.code] : []));
      out.ids = out.ids === undefined ? ids : out.ids.filter((id) => ids.includes(id));
    }
    if (c.param === '_lastUpdated' && c.kind === 'date') narrowByDates(out, c);
  }
  return out;
}

function narrowByDates(out: ColumnCriteria, c: Extract<Criterion, { kind: 'date' }>): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of c.values) {
    const [vlo, vhi] = bounds(v);
    lo = Math.min(lo, vlo);
    hi = Math.max(hi, vhi);
  }
  if (Number.isFinite(lo)) {
    const from = new Date(lo - DAY_MS).toISOString();
    if (out.lastUpdatedFrom === undefined || from > out.lastUpdatedFrom) out.lastUpdatedFrom = from;
  }
  if (Number.isFinite(hi)) {
    const to = new Date(hi + DAY_MS).toISOString();
    if (out.lastUpdatedTo === undefined || to < out.lastUpdatedTo) out.lastUpdatedTo = to;
  }
}

/** Instants a matching lastUpdated can have, per prefix (open ends are infinite). */
function bounds(v: DateQuery): [number, number] {
  switch (v.prefix) {
    case 'eq':
      return [v.lo, v.hi];
    case 'gt':
    case 'ge':
    case 'sa':
      return [v.lo, Infinity];
    case 'lt':
    case 'le':
    case 'eb':
      return [-Infinity, v.hi];
    default:
      return [-Infinity, Infinity];
  }
}
