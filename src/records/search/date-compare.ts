import { DAY_MS } from './calendar.js';
import type { DatePrefix, DateRange } from './types.js';

/**
 * R4 date prefixes over ranges (search §3.1.1.4.3, table of prefixes), with S = the search
 * value's range and T = the resource value's range, both half-open [lo, hi):
 *
 * | prefix | R4 wording                                                         | here                  |
 * |--------|--------------------------------------------------------------------|-----------------------|
 * | eq     | S fully contains T                                                 | S.lo ≤ T.lo ∧ T.hi ≤ S.hi |
 * | ne     | S does not fully contain T                                         | ¬eq                   |
 * | gt     | the range above S intersects T                                     | T.hi > S.hi           |
 * | lt     | the range below S intersects T                                     | T.lo < S.lo           |
 * | ge     | gt, or S fully contains T                                          | gt ∨ eq               |
 * | le     | lt, or S fully contains T                                          | lt ∨ eq               |
 * | sa     | T does not overlap S and the range above S contains T             | T.lo ≥ S.hi           |
 * | eb     | T does not overlap S and the range below S contains T             | T.hi ≤ S.lo           |
 * | ap     | T overlaps S widened by a tolerance                                | see `apTolerance`     |
 */
export function dateMatches(
  prefix: DatePrefix,
  s: DateRange,
  t: DateRange,
  nowMs: number,
): boolean {
  switch (prefix) {
    case 'eq':
      return contains(s, t);
    case 'ne':
      return !contains(s, t);
    case 'gt':
      return t.hi > s.hi;
    case 'lt':
      return t.lo < s.lo;
    case 'ge':
      return t.hi > s.hi || contains(s, t);
    case 'le':
      return t.lo < s.lo || contains(s, t);
    case 'sa':
      return t.lo >= s.hi;
    case 'eb':
      return t.hi <= s.lo;
    case 'ap': {
      const d = apTolerance(s, nowMs);
      return t.lo < s.hi + d && t.hi > s.lo - d;
    }
  }
}

function contains(s: DateRange, t: DateRange): boolean {
  return s.lo <= t.lo && t.hi <= s.hi;
}

/**
 * `ap` tolerance: R4 recommends 10% of the gap between now and the value; here the gap is
 * measured from the start of the search value, and the tolerance is at least one day.
 */
export function apTolerance(s: DateRange, nowMs: number): number {
  return Math.max(DAY_MS, Math.abs(nowMs - s.lo) * 0.1);
}
