import { z } from 'zod';
import { NoContent, REFUSALS } from './common.js';

/**
 * The browser's credential, `{ response: PublicKeyCredential JSON }`: an object with a string id
 * and a `response` object, kept whole (loose) because @simplewebauthn checks the rest and refuses
 * anything malformed.
 */
const Credential = z.looseObject({ id: z.string(), response: z.looseObject({}) });
const CredentialBody = z.object({ response: Credential });

/**
 * Options for navigator.credentials, as @simplewebauthn makes them, passed on whole (loose).
 * Typed as what they are at least, so the library's own types fit without an index signature.
 */
const Options = z
  .looseObject({ challenge: z.string() })
  .describe('PublicKeyCredential options (WebAuthn Level 2)') as unknown as z.ZodType<{
  challenge: string;
}>;
const Mfa = z.object({ mfa: z.boolean() });

/** Passkeys (src/http/webauthn-routes.ts). */
export const newOptions = {
  summary: 'Options to register a passkey (re-authenticated session)',
  response: { 200: z.object({ options: Options }), ...REFUSALS },
};

export const add = {
  summary: 'Register the passkey the browser made',
  body: CredentialBody,
  response: { 201: z.object({ id: z.string(), deviceType: z.string() }), ...REFUSALS },
};

export const mfaOptions = {
  summary: 'Options for a passkey as the second factor',
  response: { 200: z.object({ options: Options }), ...REFUSALS },
};

export const mfa = {
  summary: 'Second factor: a passkey assertion',
  body: CredentialBody,
  response: { 200: Mfa, ...REFUSALS },
};

export const signInOptions = {
  summary: 'Options for signing in with a passkey alone, and the handle of the challenge',
  response: { 200: z.object({ options: Options, handle: z.string().optional() }), ...REFUSALS },
};

export const signIn = {
  summary: 'Sign in with a discoverable passkey and user verification (two factors)',
  body: z.object({
    /** The passwordless handle: 32 random bytes, base64url. */
    handle: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    response: Credential,
  }),
  response: { 200: Mfa, ...REFUSALS },
};

export const list = {
  summary: "The account's passkeys",
  response: {
    200: z.object({
      credentials: z.array(
        z.object({
          id: z.string(),
          createdAt: z.string(),
          lastUsedAt: z.string().nullable(),
          transports: z.array(z.string()),
        }),
      ),
    }),
    ...REFUSALS,
  },
};

/** Any id: one that cannot be a credential id is "no such passkey" (404), not a 400. */
export const remove = {
  summary: 'Remove a passkey (re-authenticated session)',
  params: z.object({ id: z.string() }),
  response: { 204: NoContent, ...REFUSALS },
};
