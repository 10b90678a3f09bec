import { generateURI } from 'otplib';
import { InvalidTotpInputError } from './errors.js';
import { TOTP_ALGORITHM, TOTP_DIGITS, TOTP_PERIOD_SECONDS } from './totp-params.js';

export interface TotpUriOptions {
  /** Base32 secret from `generateTotpSecret`. */
  secret: string;
  /** What the user sees under the code in the app, usually their sign-in email. */
  account: string;
  /** The installation's name, e.g. the clinic; apps group and label codes by it. */
  issuer: string;
}

/**
 * The `otpauth://totp/Issuer:account?secret=…&issuer=…` URI that authenticator apps enrol from,
 * usually shown as a QR code (`totpQrSvg`). The Key URI format forbids a colon in either the
 * issuer or the account, because the label is split on the first one.
 */
export function totpUri({ secret, account, issuer }: TotpUriOptions): string {
  for (const [name, value] of [
    ['account', account],
    ['issuer', issuer],
  ] as const) {
    if (value.trim().length === 0 || value.includes(':')) {
      throw new InvalidTotpInputError(`TOTP ${name} must be non-empty and contain no colon`);
    }
  }
  return generateURI({
    issuer,
    label: account,
    secret,
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  });
}
