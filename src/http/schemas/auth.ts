import { z } from 'zod';
import { NoContent, REFUSALS } from './common.js';

/** Generous bounds: the policy allows long passphrases, but an argon2 input need not be huge. */
const secret = z.string().min(1).max(1024);
const email = z.string().min(1).max(320);
const code = z.string().min(1).max(64);

const TokenAndPassword = z.object({ token: secret, password: secret });
const CodeBody = z.object({ code });

/** People's sign-in API (src/http/auth-routes.ts). */
export const enroll = {
  summary: 'Set a first password from an enrollment link',
  body: TokenAndPassword,
  response: { 204: NoContent, ...REFUSALS },
};

export const reset = {
  summary: 'Set a new password from a reset link; ends every session',
  body: TokenAndPassword,
  response: { 204: NoContent, ...REFUSALS },
};

export const login = {
  summary: 'Password step of sign-in; starts a session whose second factor is pending',
  body: z.object({ email, password: secret }),
  response: {
    200: z.object({ mfaRequired: z.boolean(), mfaEnrolled: z.boolean() }),
    ...REFUSALS,
  },
};

export const totp = {
  summary: 'Second factor: a TOTP code',
  body: CodeBody,
  response: { 200: z.object({ mfa: z.boolean() }), ...REFUSALS },
};

export const recovery = {
  summary: 'Second factor: a single-use recovery code',
  body: CodeBody,
  response: {
    200: z.object({ mfa: z.boolean(), remainingRecoveryCodes: z.number().int() }),
    ...REFUSALS,
  },
};

export const totpSetup = {
  summary: 'Begin TOTP enrollment: the secret, as a URI and a QR code',
  response: {
    200: z.object({ otpauthUri: z.string(), qrSvg: z.string(), secret: z.string() }),
    ...REFUSALS,
  },
};

export const confirm = {
  summary: 'Confirm TOTP enrollment with a first code; answers the recovery codes once',
  body: CodeBody,
  response: { 200: z.object({ recoveryCodes: z.array(z.string()) }), ...REFUSALS },
};

export const logout = {
  summary: 'End this session',
  response: { 204: NoContent, ...REFUSALS },
};

export const session = {
  summary: 'This session: its limits, whether the second factor is done, the roles',
  response: {
    200: z.object({
      userId: z.string(),
      idleExpiresInSeconds: z.number(),
      absoluteExpiresInSeconds: z.number(),
      mfa: z.boolean(),
      roles: z.array(z.string()),
    }),
    ...REFUSALS,
  },
};

export const password = {
  summary: 'Change the password (re-authenticated); ends every session',
  body: z.object({ current: secret, next: secret }),
  response: { 204: NoContent, ...REFUSALS },
};

/** The password, or else a TOTP code (a body with both is a code, as it always was). */
export const reauth = {
  summary: 'Re-authenticate for sensitive actions, with the password or a TOTP code',
  body: z.union([z.object({ password: secret, code: z.never().optional() }), CodeBody]),
  response: { 204: NoContent, ...REFUSALS },
};
