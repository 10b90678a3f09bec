import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '../../../src/auth/webauthn/index.js';
import { SoftwareAuthenticator } from '../../auth/webauthn/software-authenticator.js';
import type { TestResponse, TestServer } from '../../support/haven-server.js';
import {
  api,
  MINUTE,
  totpNow,
  type ApiCall,
  type Jar,
  type TestClock,
  type TestUser,
} from './sign-in.js';

/**
 * The public URL the WebAuthn test server is configured with (HAVEN_PUBLIC_URL): the relying
 * party's origin, and the Origin a browser on that page sends. The server itself listens on
 * 127.0.0.1 and an ephemeral port, as behind a port mapping.
 */
export const PUBLIC_URL = 'https://haven.example';
export const RP_ID = 'haven.example';

/** A browser-like call from a page on PUBLIC_URL. */
export function call(
  t: TestServer,
  method: string,
  path: string,
  c: ApiCall = {},
): Promise<TestResponse> {
  return api(t, method, path, { origin: PUBLIC_URL, ...c });
}

export async function passwordStep(t: TestServer, user: TestUser): Promise<Jar> {
  const jar: Jar = {};
  const res = await call(t, 'POST', '/api/login', {
    body: { email: user.email, password: user.password },
    jar,
    csrf: false,
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  return jar;
}

/** Password and TOTP from PUBLIC_URL: a fully signed-in, freshly re-authenticated session. */
export async function signInWithTotp(
  t: TestServer,
  clock: TestClock,
  user: TestUser,
): Promise<Jar> {
  const jar = await passwordStep(t, user);
  const res = await call(t, 'POST', '/api/login/totp', {
    body: { code: totpNow(user.totpSecret!, clock) },
    jar,
  });
  if (res.status !== 200) throw new Error(`TOTP failed: ${res.status} ${res.text}`);
  clock.advance(MINUTE);
  return jar;
}

/** Registers a new software authenticator through the API; returns it. */
export async function registerPasskey(t: TestServer, jar: Jar): Promise<SoftwareAuthenticator> {
  const authenticator = new SoftwareAuthenticator(PUBLIC_URL);
  const opts = await call(t, 'POST', '/api/webauthn/register/options', { body: {}, jar });
  if (opts.status !== 200) throw new Error(`options failed: ${opts.status} ${opts.text}`);
  const { options } = opts.json() as { options: PublicKeyCredentialCreationOptionsJSON };
  const res = await call(t, 'POST', '/api/webauthn/register/verify', {
    body: { response: authenticator.register(options) },
    jar,
  });
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${res.text}`);
  return authenticator;
}

export async function passkeyOptions(
  t: TestServer,
): Promise<{ options: PublicKeyCredentialRequestOptionsJSON; handle: string }> {
  const res = await call(t, 'POST', '/api/login/passkey/options', { body: {} });
  if (res.status !== 200) throw new Error(`options failed: ${res.status} ${res.text}`);
  return res.json() as { options: PublicKeyCredentialRequestOptionsJSON; handle: string };
}
