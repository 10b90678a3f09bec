import { dayOf, lastDayBefore } from './calendar.js';
import { apTolerance } from './date-compare.js';
import type { DateQuery } from './types.js';

/** Inclusive epoch-day interval; either end may be infinite. */
export type DayInterval = readonly [first: number, last: number];

/**
 * Where the start point (`s`) and end point (`e`) of a matching resource range must lie, for
 * one date search value. Derived from the prefix table in date-compare.ts, with T = [T.lo, T.hi)
 * the resource range, its start day = day(T.lo) and its end day = day(T.hi − 1 ms):
 *
 * - eq: S.lo ≤ T.lo and T.hi ≤ S.hi        → start and end day both within S's days
 * - gt: T.hi > S.hi                        → end day ≥ day(S.hi)
 * - ge: gt or eq; both imply T.hi > S.lo   → end day ≥ day(S.lo)
 * - lt: T.lo < S.lo                        → start day ≤ day(S.lo − 1 ms)
 * - le: lt or eq; both imply T.lo < S.hi   → start day ≤ day(S.hi − 1 ms)
 * - sa: T.lo ≥ S.hi                        → start day ≥ day(S.hi)
 * - eb: T.hi ≤ S.lo                        → end day ≤ day(S.lo − 1 ms)
 * - ap: T.lo < S.hi + d and T.hi > S.lo − d → both, when `now` (hence d) is known
 * - ne: no bound (only "has a value")
 *
 * Every interval is then widened by MARGIN_DAYS on its finite sides (see date-range.ts for why).
 */
export interface DateSlots {
  readonly s?: DayInterval;
  readonly e?: DayInterval;
}

export const MARGIN_DAYS = 1;

export function dateSlots(q: DateQuery, nowMs: number | undefined): DateSlots {
  switch (q.prefix) {
    case 'eq': {
      const days = widen(dayOf(q.lo), lastDayBefore(q.hi));
      return { s: days, e: days };
    }
    case 'gt':
      return { e: widen(dayOf(q.hi), Infinity) };
    case 'ge':
      return { e: widen(dayOf(q.lo), Infinity) };
    case 'lt':
      return { s: widen(-Infinity, lastDayBefore(q.lo)) };
    case 'le':
      return { s: widen(-Infinity, lastDayBefore(q.hi)) };
    case 'sa':
      return { s: widen(dayOf(q.hi), Infinity) };
    case 'eb':
      return { e: widen(-Infinity, lastDayBefore(q.lo)) };
    case 'ap': {
      if (nowMs === undefined) return {};
      const d = apTolerance(q, nowMs);
      return { s: widen(-Infinity, lastDayBefore(q.hi + d)), e: widen(dayOf(q.lo - d), Infinity) };
    }
    case 'ne':
      return {};
  }
}

function widen(first: number, last: number): DayInterval {
  return [first - MARGIN_DAYS, last + MARGIN_DAYS];
}
