import { describe, expect, it } from 'vitest';

import { totpCodeAt, totpStepAt, verifyTotpCode } from '../../../src/auth/totp/totp-core.js';

/**
 * RFC 6238 Appendix B, SHA-1 rows. The seed is the ASCII string "12345678901234567890" (20
 * bytes); the codes are 8 digits. The product uses 6 digits through the same code path.
 */
const SEED = new TextEncoder().encode('12345678901234567890');

const VECTORS: ReadonlyArray<[seconds: number, step: string, code: string]> = [
  [59, '0000000000000001', '94287082'],
  [1111111109, '00000000023523EC', '07081804'],
  [1111111111, '00000000023523ED', '14050471'],
  [1234567890, '000000000273EF07', '89005924'],
  [2000000000, '0000000003F940AA', '69279037'],
  [20000000000, '0000000027BC86AA', '65353130'],
];

describe('RFC 6238 Appendix B test vectors (SHA-1, 8 digits)', () => {
  it.each(VECTORS)('T=%i (step %s) → %s', (seconds, step, code) => {
    const at = new Date(seconds * 1000);
    expect(totpStepAt(at)).toBe(parseInt(step, 16));
    expect(totpCodeAt(SEED, at, 8)).toBe(code);
    expect(verifyTotpCode(SEED, code, { now: at, digits: 8 })).toEqual({
      ok: true,
      step: parseInt(step, 16),
    });
  });

  it.each(VECTORS)('T=%i: the 6-digit code is the last six digits', (seconds, _step, code) => {
    expect(totpCodeAt(SEED, new Date(seconds * 1000), 6)).toBe(code.slice(2));
  });

  it('refuses a vector code at the wrong time', () => {
    expect(verifyTotpCode(SEED, '94287082', { now: new Date(1111111109_000), digits: 8 })).toEqual({
      ok: false,
    });
  });
});
