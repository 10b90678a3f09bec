/**
 * The 17 three-digit ZIP prefixes whose combined population is 20,000 or fewer (2000 Census, as
 * listed in HHS's guidance on the Safe Harbor method). 45 CFR 164.514(b)(2)(i)(B): their
 * records get "000" instead of the prefix.
 */
export const RESTRICTED_ZIP3 = new Set([
  '036',
  '059',
  '063',
  '102',
  '203',
  '556',
  '692',
  '790',
  '821',
  '823',
  '830',
  '831',
  '878',
  '879',
  '884',
  '890',
  '893',
]);

/** The first three digits of a US ZIP code, "000" for a restricted prefix or anything unclear. */
export function generalizeZip(zip: unknown): string {
  const digits = typeof zip === 'string' ? /^\s*(\d{3})\d{2}(-?\d{4})?\s*$/.exec(zip) : null;
  if (!digits) return '000';
  return RESTRICTED_ZIP3.has(digits[1]!) ? '000' : digits[1]!;
}
