import { generateSecret } from 'otplib';
import { TOTP_SECRET_BYTES } from './totp-params.js';

/**
 * A new shared secret: 160 bits from the platform CSPRNG (crypto.getRandomValues), as 32
 * base32 characters without padding, the form authenticator apps accept. It is a credential:
 * store it encrypted (the vault's sealWithKey), never log it, and show it only during enrolment.
 */
export function generateTotpSecret(): string {
  return generateSecret({ length: TOTP_SECRET_BYTES });
}
