import type { AlertSettings } from '../config/index.js';

export type { AlertSettings };
export { DEFAULT_ALERT_SETTINGS } from '../config/index.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * Minutes since local midnight and the weekday in `timeZone`, with one formatter for every call
 * (creating an Intl.DateTimeFormat costs far more than formatting with one).
 */
export function localTimeIn(timeZone: string): (at: Date) => { minutes: number; day: number } {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
  return (at) => {
    let hour = 0;
    let minute = 0;
    let day = -1;
    for (const p of format.formatToParts(at)) {
      if (p.type === 'hour') hour = Number(p.value);
      else if (p.type === 'minute') minute = Number(p.value);
      else if (p.type === 'weekday') day = DAYS.indexOf(p.value);
    }
    return { minutes: hour * 60 + minute, day };
  };
}

/** Minutes since local midnight and the weekday of `at` in `timeZone`. */
export function localTime(at: Date, timeZone: string): { minutes: number; day: number } {
  return localTimeIn(timeZone)(at);
}

export function clockMinutes(hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new Error('clinic hours must be HH:MM');
  return Number(m[1]) * 60 + Number(m[2]);
}
