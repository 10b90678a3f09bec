import { normalizeString } from './normalize.js';

/**
 * String terms. R4 string search is a starts-with match against each string PART of the
 * element (for a HumanName: text, family, each given, prefix, suffix), so each part's normalized
 * form is indexed by every prefix of 1…MAX_PREFIX characters. Parts are not split into words:
 * a given name stored as the single part "María Luisa" is found by "mar", "maria l", but not
 * by "luisa" — the R4 meaning, and what HAPI and Medplum do.
 *
 * A search value longer than MAX_PREFIX is looked up by its first MAX_PREFIX characters and the
 * exact matcher compares the whole value. `:exact` is looked up by the normalized form of its
 * value (exact equality implies equal normalized forms).
 */
export const MAX_PREFIX = 64;

export function stringIndexTerms(parts: readonly string[], out: string[], prefix: string): void {
  for (const part of parts) {
    const n = normalizeString(part);
    const len = Math.min(n.length, MAX_PREFIX);
    for (let i = 1; i <= len; i++) out.push(`${prefix}s:${n.slice(0, i)}`);
  }
}

/** The one term a (normalized, non-empty) search value is looked up by. */
export function stringQueryTerm(normalizedValue: string, prefix: string): string {
  return `${prefix}s:${normalizedValue.slice(0, MAX_PREFIX)}`;
}
