import type { Incident } from './incident.js';

const DAY = 86_400_000;
/** 164.404(b), 164.406(b), 164.408(b): without unreasonable delay, at most 60 days from discovery. */
export const NOTICE_DAYS = 60;
/** 164.406(a) media notice, and 164.408(b) immediate HHS notice: more than 500 (or 500 or more). */
export const LARGE_BREACH = 500;

export interface Deadline {
  kind: 'individuals' | 'hhs' | 'media';
  regulation: string;
  due: string;
  daysLeft: number;
  /** The state whose media must be told (media notices only). */
  state?: string;
  note: string;
}

/**
 * The notification deadlines of a breach (45 CFR 164.404–164.408), from the discovery date and
 * the affected counts. None while the assessment concludes a low probability of compromise.
 */
export function deadlines(incident: Incident, now: Date): Deadline[] {
  if (incident.assessment?.lowProbabilityOfCompromise) return [];
  const discovered = new Date(incident.discoveredAt);
  const within60 = new Date(discovered.getTime() + NOTICE_DAYS * DAY);
  const left = (due: Date) => Math.ceil((due.getTime() - now.getTime()) / DAY);
  const count = incident.affected?.count;
  const out: Deadline[] = [
    {
      kind: 'individuals',
      regulation: '45 CFR 164.404(b)',
      due: within60.toISOString(),
      daysLeft: left(within60),
      note: 'written notice to each affected individual, by first-class mail (or email if agreed)',
    },
  ];
  if (count !== undefined && count >= LARGE_BREACH) {
    out.push({
      kind: 'hhs',
      regulation: '45 CFR 164.408(b)',
      due: within60.toISOString(),
      daysLeft: left(within60),
      note: `${count} individuals (500 or more): notify the Secretary at the same time as the individuals`,
    });
  } else {
    // Fewer than 500: logged, and reported within 60 days after the end of the calendar year.
    const yearEnd = Date.UTC(discovered.getUTCFullYear() + 1, 0, 1);
    const due = new Date(yearEnd + NOTICE_DAYS * DAY);
    out.push({
      kind: 'hhs',
      regulation: '45 CFR 164.408(c)',
      due: due.toISOString(),
      daysLeft: left(due),
      note:
        count === undefined
          ? 'affected individuals not computed yet; fewer than 500 assumed (annual report to the Secretary)'
          : `${count} individuals (fewer than 500): keep in the breach log, report to the Secretary annually`,
    });
  }
  for (const [state, n] of Object.entries(incident.affected?.byState ?? {}))
    if (n > LARGE_BREACH && state !== 'unknown')
      out.push({
        kind: 'media',
        regulation: '45 CFR 164.406',
        due: within60.toISOString(),
        daysLeft: left(within60),
        state,
        note: `${n} residents of ${state} (more than 500): notify prominent media outlets serving ${state}`,
      });
  return out;
}
