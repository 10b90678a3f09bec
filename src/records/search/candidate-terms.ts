import { COLUMN_PARAMS } from './column-criteria.js';
import { coverTerms } from './date-terms.js';
import { dateSlots, type DayInterval } from './date-slots.js';
import { PRESENCE } from './index-terms.js';
import { normalizeString } from './normalize.js';
import { quantityQueryTerm } from './number-values.js';
import { stringQueryTerm } from './string-terms.js';
import { tokenQueryTerm } from './token-terms.js';
import type { Criterion, DateQuery, SearchRequest } from './types.js';

/**
 * Most terms one date criterion may ask for. Past it (only possible with several comma-separated
 * values) the criterion falls back to "has a value", which is still a superset.
 */
export const MAX_TERMS_PER_SET = 192;

/**
 * The database phase: an AND of ORs of terms. A resource is a candidate when it carries at least
 * one term of every inner set. Candidates are always a superset of the resources `matchesSearch`
 * accepts; an empty outer array means every resource of the type.
 *
 * `now` is needed only to narrow `ap` date values (their tolerance depends on the clock); pass
 * the same instant given to `matchesSearch`. Without it, `ap` narrows to "has a value".
 */
export function candidateTermSets(req: SearchRequest, now?: Date): string[][] {
  const sets: string[][] = [];
  const nowMs = now?.getTime();
  for (const c of req.criteria) {
    if (COLUMN_PARAMS.has(c.param)) continue; // narrowed by candidateColumns instead
    const prefix = `${req.resourceType}|${c.param}|`;
    for (const set of criterionSets(c, prefix, nowMs)) sets.push([...new Set(set)]);
  }
  return sets;
}

function criterionSets(c: Criterion, prefix: string, nowMs: number | undefined): string[][] {
  switch (c.kind) {
    case 'string':
      // `:exact` values are kept raw for the exact phase; their lookup uses the normalized form.
      return [c.values.map((v) => stringQueryTerm(c.exact ? normalizeString(v) : v, prefix))];
    case 'token':
      // `:not` also matches resources without the element, so nothing narrows it.
      return c.negate ? [] : [c.values.map((q) => tokenQueryTerm(q, prefix))];
    case 'reference':
      return [c.values.map((ref) => `${prefix}r:${ref}`)];
    case 'missing':
      return c.missing ? [] : [[`${prefix}${PRESENCE}`]];
    case 'date':
      return dateSets(c.values, prefix, nowMs);
    case 'number':
      return [[`${prefix}${PRESENCE}`]];
    case 'quantity': {
      // Values are compared after decryption; a unit narrows only when every value names one.
      const units = c.values.map((q) => quantityQueryTerm(q, prefix));
      return units.every((u) => u !== undefined) ? [units as string[]] : [[`${prefix}${PRESENCE}`]];
    }
    case 'uri':
      return [c.values.map((u) => `${prefix}u:${u}`)];
  }
}

/**
 * One set per point kind (start `s`, end `e`) that EVERY value bounds: a resource matching the
 * OR of the values matches one of them, whose bound puts its point in that value's interval,
 * hence in the union. A point kind some value leaves free is dropped.
 */
function dateSets(
  values: readonly DateQuery[],
  prefix: string,
  nowMs: number | undefined,
): string[][] {
  const starts: DayInterval[] = [];
  const ends: DayInterval[] = [];
  for (const v of values) {
    const slots = dateSlots(v, nowMs);
    if (slots.s !== undefined) starts.push(slots.s);
    if (slots.e !== undefined) ends.push(slots.e);
  }
  const sets: string[][] = [];
  if (starts.length === values.length) pushCover(sets, 's', starts, prefix);
  if (ends.length === values.length) pushCover(sets, 'e', ends, prefix);
  return sets.length > 0 ? sets : [[`${prefix}${PRESENCE}`]];
}

function pushCover(
  sets: string[][],
  kind: 's' | 'e',
  intervals: DayInterval[],
  prefix: string,
): void {
  const terms: string[] = [];
  for (const [first, last] of intervals) coverTerms(kind, first, last, terms, prefix);
  const unique = [...new Set(terms)];
  if (unique.length > 0 && unique.length <= MAX_TERMS_PER_SET) sets.push(unique);
}
