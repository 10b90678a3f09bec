/**
 * Time zones (ADR 0026): Haven stores instants (UTC, `Z`) and shows them in a zone: the clinic's
 * (HAVEN_CLINIC_TIME_ZONE) on the scheduler's calendar, the viewer's own in the patient's list.
 * A week is seven local days from Monday 00:00 to the next Monday 00:00 in that zone, so a week
 * across a daylight-saving change is 167 or 169 hours long, not 168.
 */

/** Whether the runtime knows the IANA zone name (an unknown one would throw at format time). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(instantMs: number, zone: string): number[] {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(instantMs).map((p) => [p.type, p.value]));
  return ['year', 'month', 'day', 'hour', 'minute', 'second'].map((k) => Number(parts[k]));
}

/** The zone's offset from UTC at an instant, in milliseconds (New York in July: -4 h). */
export function zoneOffsetMs(instantMs: number, zone: string): number {
  const [y, mo, d, h, mi, s] = wallClock(instantMs, zone);
  const wallAsUtc = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  return wallAsUtc - Math.floor(instantMs / 1000) * 1000;
}

/** The instant a local wall-clock time happens in a zone (the later one in a repeated hour). */
export function localToInstant(
  zone: string,
  y: number,
  month: number,
  d: number,
  h = 0,
  mi = 0,
): number {
  const wall = Date.UTC(y, month - 1, d, h, mi);
  // Two rounds settle the offset on either side of a change.
  let guess = wall - zoneOffsetMs(wall, zone);
  guess = wall - zoneOffsetMs(guess, zone);
  return guess;
}

/** The local week (Monday 00:00 to Monday 00:00) holding a local date `YYYY-MM-DD`. */
export function weekOf(date: string, zone: string): { from: string; to: string } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError('date must be YYYY-MM-DD');
  const day = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  const back = (day.getUTCDay() + 6) % 7; // days since Monday
  const monday = new Date(day.getTime() - back * 86_400_000);
  const next = new Date(monday.getTime() + 7 * 86_400_000);
  const at = (x: Date) =>
    new Date(
      localToInstant(zone, x.getUTCFullYear(), x.getUTCMonth() + 1, x.getUTCDate()),
    ).toISOString();
  return { from: at(monday), to: at(next) };
}

/** An instant as the zone's wall clock, `YYYY-MM-DDTHH:mm` (for display and tests). */
export function localWallClock(instant: string, zone: string): string {
  const [y, mo, d, h, mi] = wallClock(Date.parse(instant), zone);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${y}-${p(mo!)}-${p(d!)}T${p(h!)}:${p(mi!)}`;
}

/** Any ISO instant with an offset, normalised to UTC with `Z` (what is stored). */
export function toUtc(instant: string): string {
  return new Date(Date.parse(instant)).toISOString().replace('.000Z', 'Z');
}
