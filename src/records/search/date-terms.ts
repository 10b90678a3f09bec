import { civilFromDays, daysFromCivil } from './calendar.js';

/**
 * Date terms: a resource date value is indexed by two POINTS, the UTC day of its first instant
 * (`s:`) and the UTC day of its last instant (`e:`), each under all five of its calendar buckets:
 *
 *   c19 (century 1900–1999), x198 (decade 1980–1989), y1987, m1987-04, d1987-04-12
 *
 * so a value costs at most 10 terms. Every R4 prefix bounds one or both points to a day interval
 * (see date-slots.ts), and a day interval is covered by the fewest aligned buckets (whole
 * centuries, decades, years, months, then days). A point lies in the interval exactly when one of
 * its five buckets is one of the cover's buckets, so the candidate set is a superset.
 *
 * The bucketed domain is 1800-01-01 … 2299-12-31. Points outside it, and open Period ends
 * (−∞/+∞), are indexed as `lo` or `hi`; an interval reaching past the domain adds that term.
 *
 * Bound: a cover has ≤ 30 days + 11 months + 9 years + 9 decades on each side plus ≤ 3 whole
 * centuries, so a half-open interval costs ≤ 64 terms (with its marker) and a closed one ≤ 123.
 * Queries use half-open intervals except `eq`, whose interval is at most a year plus margins, so
 * a single date value needs ≤ 128 terms (`ap`: two half-open intervals).
 */

export const DOMAIN_FIRST_DAY = daysFromCivil(1800, 1, 1);
export const DOMAIN_LAST_DAY = daysFromCivil(2300, 1, 1) - 1;

export type PointKind = 's' | 'e';

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/** The terms of one point (an epoch day, or ±Infinity for an open end). */
export function pointTerms(kind: PointKind, epochDay: number, out: string[], prefix: string): void {
  if (epochDay < DOMAIN_FIRST_DAY) {
    out.push(`${prefix}${kind}:lo`);
    return;
  }
  if (epochDay > DOMAIN_LAST_DAY) {
    out.push(`${prefix}${kind}:hi`);
    return;
  }
  const [y, m, d] = civilFromDays(epochDay);
  const head = `${prefix}${kind}:`;
  const month = `${y}-${pad2(m)}`;
  out.push(
    `${head}c${Math.floor(y / 100)}`,
    `${head}x${Math.floor(y / 10)}`,
    `${head}y${y}`,
    `${head}m${month}`,
    `${head}d${month}-${pad2(d)}`,
  );
}

/**
 * Terms covering the days [first, last] (inclusive; ±Infinity allowed) for points of `kind`.
 * A point day p is in [first, last] iff `pointTerms(kind, p)` shares a term with the result.
 */
export function coverTerms(
  kind: PointKind,
  first: number,
  last: number,
  out: string[],
  prefix: string,
): void {
  const head = `${prefix}${kind}:`;
  if (first > last) return;
  if (first < DOMAIN_FIRST_DAY) out.push(`${head}lo`);
  if (last > DOMAIN_LAST_DAY) out.push(`${head}hi`);
  const end = Math.min(last, DOMAIN_LAST_DAY);
  let day = Math.max(first, DOMAIN_FIRST_DAY);
  while (day <= end) {
    const [y, m, d] = civilFromDays(day);
    if (d === 1 && m === 1) {
      const next = largestYearBucket(y, end);
      if (next !== undefined) {
        out.push(`${head}${next.term}`);
        day = next.nextDay;
        continue;
      }
    }
    if (d === 1) {
      const nextMonth = m === 12 ? daysFromCivil(y + 1, 1, 1) : daysFromCivil(y, m + 1, 1);
      if (nextMonth - 1 <= end) {
        out.push(`${head}m${y}-${pad2(m)}`);
        day = nextMonth;
        continue;
      }
    }
    out.push(`${head}d${y}-${pad2(m)}-${pad2(d)}`);
    day += 1;
  }
}

/** The largest century/decade/year bucket starting on Jan 1 of `year` that ends by `end`. */
function largestYearBucket(
  year: number,
  end: number,
): { term: string; nextDay: number } | undefined {
  for (const [span, tag] of YEAR_SPANS) {
    if (year % span !== 0) continue;
    const nextDay = daysFromCivil(year + span, 1, 1);
    if (nextDay - 1 <= end)
      return { term: span === 1 ? `y${year}` : `${tag}${year / span}`, nextDay };
  }
  return undefined;
}

const YEAR_SPANS: ReadonlyArray<readonly [number, string]> = [
  [100, 'c'],
  [10, 'x'],
  [1, 'y'],
];
