const COMBINING_MARKS = /[\u0300-\u036f]/g;
const APOSTROPHES = /[\u2018\u2019\u02bc]/g;
const WHITESPACE = /\s+/g;
const PLAIN_ASCII = /^[a-z0-9'.-]*$/;

/**
 * The form string search compares (R4: case- and accent-insensitive): lower-cased, decomposed
 * (NFD) with combining marks U+0300–U+036F removed, typographic apostrophes folded to `'`,
 * whitespace runs collapsed to one space and trimmed. "Mejía" → "mejia", "O’Connell" → "o'connell".
 * Lower-casing comes first so that "İ" loses its dot like any other mark.
 */
export function normalizeString(value: string): string {
  const lower = value.toLowerCase();
  if (PLAIN_ASCII.test(lower)) return lower; // the common case for names: nothing else to do
  return lower
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(APOSTROPHES, "'")
    .replace(WHITESPACE, ' ')
    .trim();
}
