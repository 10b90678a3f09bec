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
      practitionerId: z.string().optional(),
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

export const touch = {
  summary: 'Keep this session alive ("stay signed in"): counts as activity',
  response: { 204: NoContent, ...REFUSALS },
};

/** A session as "your sessions" shows it: an opaque handle, never its id or anything cookie-like. */
const SessionSummary = z.object({
  id: z.string().describe('An opaque handle for ending this session; not its cookie'),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  current: z.boolean().describe('True for the session that made this request'),
});

export const sessions = {
  summary: "The signed-in person's own live sessions",
  response: { 200: z.object({ sessions: z.array(SessionSummary) }), ...REFUSALS },
};

export const endSession = {
  summary: "End one of one's own sessions by its handle; 404 for any other handle",
  params: z.object({ handle: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
  response: { 204: NoContent, ...REFUSALS },
};
