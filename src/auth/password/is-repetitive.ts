/**
 * NIST SP 800-63B §3.1.1.2 asks verifiers to refuse "repetitive or sequential characters (e.g.
 * 'aaaaaa', '1234abcd')". Such passwords meet any length rule while adding almost no secret.
 *
 * Two tests, on the lower-cased password with whitespace removed:
 *
 * - the whole password is one unit repeated ("abcabcabcabc", "Summer2024!Summer2024!"):
 *   repeating a secret adds length, not entropy;
 * - it is made of long runs, where a run is a stretch whose code points step by a constant 0,
 *   +1 or -1 ("aaaa", "abcd", "9876"), averaging three or more characters per run
 *   ("aaaaaaaaaaaa", "123456789012", "abcdefgh1234"). Random or passphrase text averages
 *   well under two.
 */
export function isRepetitive(passwordKey: string): boolean {
  const points = Array.from(passwordKey.replace(/\s+/gu, ''), (c) => c.codePointAt(0) ?? 0);
  if (points.length < 2) return false;
  return isRepeatedUnit(points) || points.length / countRuns(points) >= MIN_AVERAGE_RUN;
}

const MIN_AVERAGE_RUN = 3;

function isRepeatedUnit(points: readonly number[]): boolean {
  const n = points.length;
  for (let unit = 1; unit <= n / 2; unit++) {
    if (n % unit !== 0) continue;
    let repeats = true;
    for (let i = unit; i < n && repeats; i++) repeats = points[i] === points[i - unit];
    if (repeats) return true;
  }
  return false;
}

function countRuns(points: readonly number[]): number {
  let runs = 0;
  let i = 0;
  while (i < points.length) {
    runs++;
    const step = i + 1 < points.length ? points[i + 1]! - points[i]! : Infinity;
    if (Math.abs(step) > 1) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j + 1 < points.length && points[j + 1]! - points[j]! === step) j++;
    i = j + 1;
  }
  return runs;
}
