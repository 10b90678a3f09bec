import { FOOTER, NOTIFICATION_TEMPLATES, renderNotice, type RenderedNotice } from './templates.js';

/** A notice that would carry record data out of Haven: it is not sent. */
export class PhiInNotificationError extends Error {
  readonly code = 'phi-in-notification';
  constructor(readonly why: 'not-the-template' | 'record-data') {
    super('the notification was refused: it may carry data from a patient record');
  }
}

/** Terms shorter than this are too common to be evidence ("A", "12"), and would refuse all. */
const MIN_TERM = 3;

/**
 * The last check before a notice leaves (ADR 0026), two rules, both fail closed:
 * 1. the text must be exactly its fixed template with the configured link, so no code path can
 *    add a detail by building its own text;
 * 2. no value from the patient's record (`recordTerms`: names, birth date, identifiers, address,
 *    phone, appointment times, clinician name, reason, as the caller gathered them) may appear
 *    in it, in any case, in its digits-only form or as a date in common notations — this catches
 *    a base URL or template that was changed to carry one.
 */
export function checkNotice(
  notice: RenderedNotice,
  baseUrl: string,
  recordTerms: readonly string[],
): void {
  const expected = renderNotice(notice.template, baseUrl);
  if (notice.text !== expected.text || notice.subject !== expected.subject)
    throw new PhiInNotificationError('not-the-template');
  // The template's own words are Haven's, not the record's: a patient named "Care" must not stop
  // "your care team". What is left to scan is every part that is not fixed text (the link).
  const haystack = variablePartOf(notice).toLowerCase();
  const digits = haystack.replace(/\D+/g, ' ');
  for (const term of recordTerms.flatMap(variantsOf)) {
    if (term.length < MIN_TERM) continue;
    if (/^\d[\d ]*$/.test(term) ? ` ${digits} `.includes(` ${term} `) : haystack.includes(term))
      throw new PhiInNotificationError('record-data');
  }
}

function variablePartOf(notice: RenderedNotice): string {
  const t = NOTIFICATION_TEMPLATES[notice.template];
  return `${notice.subject}\n${notice.text}`
    .replace(t.subject, '\n')
    .replace(t.text, '\n')
    .replace(FOOTER, '\n');
}

/** A term as it might be written: lower-cased, digits only, and an ISO date's other forms. */
function variantsOf(term: string): string[] {
  const t = term.trim().toLowerCase();
  if (t === '') return [];
  const out = [t];
  const digits = t.replace(/\D+/g, '');
  if (digits.length >= 4 && digits !== t) out.push(digits);
  const date = /^(\d{4})-(\d{2})-(\d{2})/.exec(t);
  if (date) {
    const [, y, m, d] = date;
    out.push(`${m}/${d}/${y}`, `${d}/${m}/${y}`, `${d}.${m}.${y}`, `${y}${m}${d}`);
    // An instant's clock time as shown to a person, e.g. 14:30.
    const time = /t(\d{2}):(\d{2})/.exec(t);
    if (time) out.push(`${time[1]}:${time[2]}`);
  }
  return out;
}

/**
 * The values of a FHIR resource that identify or describe the patient or the visit, for
 * `checkNotice`: every string and date leaf except codes and system URLs, which are shared
 * vocabulary, not record data (a template saying "appointment" must not match `Appointment`).
 */
export function recordTermsOf(resource: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key: string): void => {
    if (typeof v === 'string') {
      if (!SKIP_KEYS.has(key)) out.push(v);
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (typeof v === 'object' && v !== null)
      for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(resource, '');
  return out;
}

const SKIP_KEYS = new Set([
  'resourceType',
  'system',
  'code',
  'status',
  'use',
  'gender',
  'url',
  'versionId',
  'lastUpdated',
  'reference',
  'id',
]);
