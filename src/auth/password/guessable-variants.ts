/**
 * NIST SP 800-63B §3.1.1.2 asks verifiers to refuse "commonly-used, expected, or compromised"
 * values. A list holds the passwords people used, not every way they decorate them: the list in
 * common-passwords.ts has "password123" and "p@ssw0rd" but not "Password123!". Cracking tools
 * (hashcat's best64 rules, John's "single" mode) try exactly these decorations first, so a password
 * that is a listed one plus a decoration is as expected as the listed one.
 *
 * The decorations undone here are the ones those rule sets apply most, and only those, so the
 * check stays explainable: case (already folded by the caller), a run of digits and symbols
 * appended or prepended, and one-for-one "leet" substitutions. Every variant produced is looked
 * up in the same list; nothing is inferred from a variant's shape alone.
 */

/** A variant shorter than this is not looked up: "abc" + "123!" says too little to refuse on. */
export const MIN_BASE_LENGTH = 5;

/** Digits, punctuation and symbols (anything neither a letter nor a mark nor whitespace). */
const DECORATION = /[^\p{L}\p{M}\s]+/u;
const LEADING = new RegExp(`^${DECORATION.source}`, 'u');
const TRAILING = new RegExp(`${DECORATION.source}$`, 'u');

/** One-for-one substitutions; '1' and '!' stand for 'i' or 'l', so both readings are tried. */
const LEET: Readonly<Record<string, readonly string[]>> = {
  '0': ['o'],
  '1': ['i', 'l'],
  '!': ['i', 'l'],
  '|': ['l', 'i'],
  '2': ['z'],
  '3': ['e'],
  '4': ['a'],
  '@': ['a'],
  '5': ['s'],
  $: ['s'],
  '6': ['g'],
  '7': ['t'],
  '+': ['t'],
  '8': ['b'],
  '9': ['g'],
};

/** Bounds the variants of one password (each ambiguous character doubles the readings). */
const MAX_LEET_READINGS = 16;

/**
 * The lower-cased password's undecorated variants, for a list lookup: with the leading and
 * trailing digit/symbol runs removed (each end alone and both), the leet readings of each, and
 * those readings with their ends removed again. The input itself is not included.
 */
export function guessableVariants(key: string): string[] {
  const out = new Set<string>();
  for (const stripped of strippedEnds(key)) {
    out.add(stripped);
    for (const reading of leetReadings(stripped)) {
      out.add(reading);
      for (const again of strippedEnds(reading)) out.add(again);
    }
  }
  out.delete(key);
  return [...out].filter((v) => [...v].length >= MIN_BASE_LENGTH);
}

/** The text, and it with the leading run, the trailing run, and both removed. */
function strippedEnds(text: string): string[] {
  const noTail = text.replace(TRAILING, '');
  return [text, noTail, text.replace(LEADING, ''), noTail.replace(LEADING, '')];
}

/** Every reading of the substitutable characters, up to MAX_LEET_READINGS. */
export function leetReadings(text: string): string[] {
  let readings = [''];
  for (const ch of text) {
    const options = LEET[ch] ?? [ch];
    const next: string[] = [];
    for (const prefix of readings) {
      for (const o of options) if (next.length < MAX_LEET_READINGS) next.push(prefix + o);
    }
    readings = next;
  }
  return readings;
}
