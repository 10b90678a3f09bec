// Public surface of TOTP second factors (RFC 6238, SPEC safeguard 1).
export { generateTotpSecret } from './generate-totp-secret.js';
export { totpUri, type TotpUriOptions } from './totp-uri.js';
export { verifyTotp, type VerifyTotpOptions, type TotpVerification } from './verify-totp.js';
export { totpQrSvg } from './totp-qr-svg.js';
export { totpStepAt, totpCodeAt } from './totp-core.js';
export {
  TOTP_ALGORITHM,
  TOTP_DIGITS,
  TOTP_PERIOD_SECONDS,
  TOTP_WINDOW_STEPS,
} from './totp-params.js';
export { TotpError, InvalidTotpSecretError, InvalidTotpInputError } from './errors.js';
