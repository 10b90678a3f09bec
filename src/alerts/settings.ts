import type { AlertSettings } from '../config/index.js';

export type { AlertSettings };
export { DEFAULT_ALERT_SETTINGS } from '../config/index.js';

/** Minutes since local midnight and the weekday of `at` in `timeZone`. */
export function localTime(at: Date, timeZone: string): { minutes: number; day: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '0';
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  return { minutes: Number(get('hour')) * 60 + Number(get('minute')), day };
}

export function clockMinutes(hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new Error('clinic hours must be HH:MM');
  return Number(m[1]) * 60 + Number(m[2]);
}
