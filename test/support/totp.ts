import { totpCodeAt } from '../../src/auth/totp/totp-core.js';
import { TOTP_PERIOD_SECONDS, TOTP_WINDOW_STEPS } from '../../src/auth/totp/totp-params.js';

/**
 * A 6-digit code that is certainly wrong for `secret` at `now`: unlike every code of the steps the
 * verifier accepts (and one more step either side). A fixed "wrong" code such as 000000 is the
 * right code for a random secret with probability 3 in a million per attempt, which made a test
 * fail once; this one never is.
 */
export function wrongTotpCode(secret: string, now: Date): string {
  const accepted = new Set<string>();
  for (let k = -TOTP_WINDOW_STEPS - 1; k <= TOTP_WINDOW_STEPS + 1; k++) {
    accepted.add(totpCodeAt(secret, new Date(now.getTime() + k * TOTP_PERIOD_SECONDS * 1000), 6));
  }
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!accepted.has(code)) return code;
  }
}
