/**
 * Proleptic Gregorian calendar arithmetic on epoch days (days since 1970-01-01, UTC), in
 * integers only: no `Date` objects (whose two-digit-year rules would misread years 1–99) and no
 * allocation beyond the returned tuple. Algorithms after H. Hinnant, "chrono-Compatible
 * Low-Level Date Algorithms".
 */

export const DAY_MS = 86_400_000;

/** Epoch day of year-month-day (month 1–12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** [year, month (1–12), day] of an epoch day. */
export function civilFromDays(epochDay: number): [number, number, number] {
  const z = epochDay + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

export function daysInMonth(year: number, month: number): number {
  return (
    daysFromCivil(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) -
    daysFromCivil(year, month, 1)
  );
}

/** The epoch day containing instant `ms` (UTC); ±Infinity stays infinite. */
export function dayOf(ms: number): number {
  return Number.isFinite(ms) ? Math.floor(ms / DAY_MS) : ms;
}

/** The epoch day of the last instant before the exclusive bound `ms`. */
export function lastDayBefore(ms: number): number {
  return Number.isFinite(ms) ? Math.floor((ms - 1) / DAY_MS) : ms;
}
