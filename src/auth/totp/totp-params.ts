/**
 * RFC 6238 parameters. These are the defaults of the Key URI format that Google Authenticator
 * defined and every authenticator app implements; several apps ignore `algorithm`, `digits` and
 * `period` in the URI, so anything else would enrol apps that then produce wrong codes.
 * SHA-1 is fine here: HOTP relies on HMAC-SHA-1 as a PRF, which collisions do not break.
 */
export const TOTP_ALGORITHM = 'sha1';

/** RFC 6238 §5.2 recommends a 30-second time step. */
export const TOTP_PERIOD_SECONDS = 30;

export const TOTP_DIGITS = 6;

/**
 * Steps accepted either side of the current one. RFC 6238 §5.2 recommends at most one step of
 * allowed network delay; one step ahead also forgives a phone clock a little fast.
 */
export const TOTP_WINDOW_STEPS = 1;

/** RFC 4226 §4 requires at least 128 bits of shared secret and recommends 160. */
export const TOTP_SECRET_BYTES = 20;
