import { DAY_MS, daysFromCivil, daysInMonth } from './calendar.js';
import type { DateRange } from './types.js';

/**
 * FHIR date, dateTime and instant values as implicit ranges (R4 search §3.1.1.4.3: "the value
 * is a range, whose width is its precision"): `1987` is all of 1987, `1987-04-12T10:30:00Z` is
 * that second, `…:00.5Z` is that tenth of a second. Ranges are half-open [lo, hi) in epoch ms.
 *
 * Timezone rule: a value without a timezone (dates, and times written without an offset) is read
 * as UTC. The database side of search adds a one-day margin to every date region (date-terms.ts),
 * so the stored index stays a superset even if this rule later becomes "the clinic's zone".
 */

const DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** Parse a date/dateTime/instant; undefined when it is not a valid value. */
export function parseDateValue(text: string): DateRange | undefined {
  const m = DATE_TIME.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]);
  if (year < 1) return undefined;
  if (m[2] === undefined) return dayRange(daysFromCivil(year, 1, 1), daysFromCivil(year + 1, 1, 1));
  const month = Number(m[2]);
  if (month < 1 || month > 12) return undefined;
  if (m[3] === undefined) {
    const first = daysFromCivil(year, month, 1);
    return dayRange(first, first + daysInMonth(year, month));
  }
  const day = Number(m[3]);
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  const epochDay = daysFromCivil(year, month, day);
  if (m[4] === undefined) return dayRange(epochDay, epochDay + 1);
  return timeRange(epochDay, m);
}

function dayRange(firstDay: number, endDay: number): DateRange {
  return { lo: firstDay * DAY_MS, hi: endDay * DAY_MS };
}

function timeRange(epochDay: number, m: RegExpExecArray): DateRange | undefined {
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const offset = parseOffset(m[8]);
  if (offset === undefined) return undefined;
  const fraction = m[7] ?? '';
  let width: number;
  if (m[6] === undefined) width = 60_000;
  else if (fraction.length === 0) width = 1000;
  else width = fraction.length >= 3 ? 1 : 10 ** (3 - fraction.length);
  const millis = fraction.length === 0 ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const lo =
    epochDay * DAY_MS + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis - offset;
  return { lo, hi: lo + width };
}

/** Offset in ms east of UTC; absent = UTC (see the timezone rule above). */
function parseOffset(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z') return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 14 || minutes > 59 || (hours === 14 && minutes > 0)) return undefined;
  const sign = zone.startsWith('-') ? -1 : 1;
  return sign * (hours * 3_600_000 + minutes * 60_000);
}

/** A Period as a range: a missing start or end is open (−∞ / +∞); both missing = no value. */
export function parsePeriod(period: { start?: unknown; end?: unknown }): DateRange | undefined {
  const start = typeof period.start === 'string' ? parseDateValue(period.start) : undefined;
  const end = typeof period.end === 'string' ? parseDateValue(period.end) : undefined;
  if (start === undefined && end === undefined) return undefined;
  if (
    (period.start !== undefined && start === undefined) ||
    (period.end !== undefined && end === undefined)
  ) {
    return undefined; // a malformed bound: index nothing rather than a wrong range
  }
  const lo = start === undefined ? -Infinity : start.lo;
  const hi = end === undefined ? Infinity : end.hi;
  return lo < hi ? { lo, hi } : undefined;
}
