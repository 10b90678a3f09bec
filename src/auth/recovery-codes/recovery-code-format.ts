/**
 * Recovery codes are 16 symbols of Douglas Crockford's base32 alphabet (digits and capitals
 * without I, L, O and U), shown in groups of four: `7K2M-QX9P-4HRT-0WBN`. Each symbol carries
 * 5 bits, so a code carries 80 bits from the CSPRNG: far beyond offline guessing, which is what
 * lets us store a fast hash (see hash-recovery-code.ts). The alphabet has no look-alike pairs,
 * and input is read forgivingly (case, spaces, dashes, I/L for 1, O for 0) because people type
 * these from paper, months later, under stress.
 */
export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const RECOVERY_CODE_SYMBOLS = 16;

export const RECOVERY_CODE_GROUP = 4;

/** Random bytes per code: 16 symbols x 5 bits = 80 bits = 10 bytes, with no bits wasted. */
export const RECOVERY_CODE_BYTES = (RECOVERY_CODE_SYMBOLS * 5) / 8;

const CANONICAL = new RegExp(`^[${CROCKFORD_ALPHABET}]{${RECOVERY_CODE_SYMBOLS}}$`);

/** Encodes 10 random bytes as a grouped code, 5 bits per symbol, most significant first. */
export function formatRecoveryCode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let symbols = '';
  for (const byte of bytes.subarray(0, RECOVERY_CODE_BYTES)) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      symbols += CROCKFORD_ALPHABET[(value >> bits) & 31];
    }
    value &= (1 << bits) - 1;
  }
  const groups = symbols.match(new RegExp(`.{${RECOVERY_CODE_GROUP}}`, 'g')) ?? [];
  return groups.join('-');
}

/**
 * The canonical 16 symbols of what a user typed, or undefined if it cannot be a code.
 * Crockford's decoding rules: case-insensitive, I and L read as 1, O as 0; separators ignored.
 */
export function canonicalRecoveryCode(input: string): string | undefined {
  const canonical = input
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-\u2010-\u2015\u2212]+/gu, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
  return CANONICAL.test(canonical) ? canonical : undefined;
}
