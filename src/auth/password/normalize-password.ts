/**
 * NIST SP 800-63B §3.1.1.2: verifiers SHOULD apply NFKC or NFKD normalization before hashing,
 * so that the same passphrase typed on two keyboards (precomposed "é" vs "e" + combining
 * accent, full-width digits from an IME) hashes alike.
 *
 * Hashes depend on this choice: changing the normalization form would lock out every user whose
 * password it changes. It is fixed here, in one place, for hashing and for the policy check.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Length in Unicode code points, which is what 63B's minimum and maximum lengths count. */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
