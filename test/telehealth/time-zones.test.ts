import { describe, expect, it } from 'vitest';
import {
  localToInstant,
  localWallClock,
  weekOf,
  zoneOffsetMs,
} from '../../src/telehealth/index.js';

/** Instants stored, zones shown: a week across a daylight-saving change (ADR 0026). */
describe('time zones', () => {
  it('makes the New York week of the March 2026 change 167 hours long', () => {
    // DST begins Sunday 8 March 2026 at 02:00 local in America/New_York.
    const w = weekOf('2026-03-04', 'America/New_York');
    expect(w.from).toBe('2026-03-02T05:00:00.000Z'); // Monday 00:00 EST
    expect(w.to).toBe('2026-03-09T04:00:00.000Z'); // next Monday 00:00 EDT
    expect((Date.parse(w.to) - Date.parse(w.from)) / 3_600_000).toBe(167);
  });

  it('makes the Berlin week of the October 2026 change 169 hours long', () => {
    const w = weekOf('2026-10-25', 'Europe/Berlin'); // a Sunday: its week began on the 19th
    expect(w.from).toBe('2026-10-18T22:00:00.000Z');
    expect(w.to).toBe('2026-10-25T23:00:00.000Z');
    expect((Date.parse(w.to) - Date.parse(w.from)) / 3_600_000).toBe(169);
  });

  it('shows 09:00 local on both sides of the change, from different UTC instants', () => {
    const before = new Date(localToInstant('America/New_York', 2026, 3, 6, 9)).toISOString();
    const after = new Date(localToInstant('America/New_York', 2026, 3, 9, 9)).toISOString();
    expect(before).toBe('2026-03-06T14:00:00.000Z');
    expect(after).toBe('2026-03-09T13:00:00.000Z');
    expect(localWallClock(before, 'America/New_York')).toBe('2026-03-06T09:00');
    expect(localWallClock(after, 'America/New_York')).toBe('2026-03-09T09:00');
    // The same instant, seen by a viewer in Tokyo.
    expect(localWallClock(after, 'Asia/Tokyo')).toBe('2026-03-09T22:00');
  });

  it('knows the offsets either side of the change', () => {
    expect(zoneOffsetMs(Date.parse('2026-03-08T06:59:00Z'), 'America/New_York')).toBe(
      -5 * 3_600_000,
    );
    expect(zoneOffsetMs(Date.parse('2026-03-08T07:00:00Z'), 'America/New_York')).toBe(
      -4 * 3_600_000,
    );
    expect(() => weekOf('2026-3-4', 'UTC')).toThrow(RangeError);
  });
});
