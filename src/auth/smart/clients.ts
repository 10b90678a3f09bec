import crypto from 'node:crypto';
import { OAuthError } from './errors.js';
import { formatScopes, readScopes } from './requested-scopes.js';
import { newSecret, sameHash, secretHash } from './secrets.js';
import type { SmartClientRecord, SmartStore } from './store.js';

export class SmartClientError extends Error {
  readonly code = 'invalid-smart-client';
}

export interface SmartClientRegistration {
  name: string;
  /** Compared exactly (RFC 6749 §3.1.2.3, OAuth 2.0 Security BCP §4.1.3): no prefix, no wildcard. */
  redirectUris: string[];
  confidential: boolean;
  /** What the app may ever be granted; each authorization is the intersection with this. */
  scopes: string;
  /** Where an EHR launch from Haven opens the app (with `iss` and `launch`). */
  launchUrl?: string | undefined;
}

/**
 * Registers a SMART app. A confidential client gets a secret, shown once; only its SHA-256 is
 * kept. A public client (a browser app) proves itself with PKCE alone.
 */
export async function registerSmartClient(
  store: SmartStore,
  r: SmartClientRegistration,
  now: Date,
): Promise<{ clientId: string; clientSecret?: string; scopes: string }> {
  if (!/^[\w .-]{1,64}$/.test(r.name))
    throw new SmartClientError('app name must be 1-64 letters, digits, spaces, . _ -');
  if (r.redirectUris.length === 0) throw new SmartClientError('give at least one redirect URI');
  for (const uri of [...r.redirectUris, ...(r.launchUrl ? [r.launchUrl] : [])]) checkUri(uri);
  const scopes = formatScopes(readScopes(r.scopes));
  if (scopes === '') throw new SmartClientError('give at least one SMART scope Haven grants');
  const clientId = crypto.randomUUID();
  const secret = r.confidential ? newSecret('hvc_') : undefined;
  await store.insertClient({
    id: clientId,
    name: r.name,
    secretHash: secret ? secretHash(secret) : null,
    redirectUris: r.redirectUris,
    scopes,
    launchUrl: r.launchUrl ?? null,
    createdAt: now.toISOString(),
    revokedAt: null,
  });
  return { clientId, ...(secret && { clientSecret: secret }), scopes };
}

/** https only, except a loopback http address for native apps (RFC 8252 §7.3); no fragment. */
function checkUri(uri: string): void {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw new SmartClientError('a redirect URI is not an absolute URL');
  }
  const loopback =
    u.hostname === '127.0.0.1' || u.hostname === '[::1]' || u.hostname === 'localhost';
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback))
    throw new SmartClientError('a redirect URI must be https (or http on a loopback address)');
  if (u.hash !== '' || uri.includes('#'))
    throw new SmartClientError('a redirect URI must not have a fragment');
}

/**
 * The calling client of the token, introspection and revocation endpoints: a confidential
 * client must present its secret (HTTP Basic or client_secret_post); a public client is named by
 * client_id and must not have a secret to present.
 */
export async function authenticateClient(
  store: SmartStore,
  creds: { clientId: string | undefined; secret: string | undefined },
): Promise<SmartClientRecord> {
  if (!creds.clientId) throw new OAuthError('invalid_client', 'the client is not identified');
  // Only an id Haven could have issued reaches the database (PostgreSQL refuses a NUL in text).
  const client = isClientId(creds.clientId) ? await store.client(creds.clientId) : undefined;
  if (!client || client.revokedAt !== null)
    throw new OAuthError('invalid_client', 'unknown or revoked client');
  if (client.secretHash !== null) {
    if (!creds.secret || !sameHash(secretHash(creds.secret), client.secretHash))
      throw new OAuthError('invalid_client', 'the client secret is missing or wrong');
  } else if (creds.secret !== undefined) {
    throw new OAuthError('invalid_client', 'a public client has no secret');
  }
  return client;
}

/** The shape of a client_id Haven issues (a random UUID). */
export function isClientId(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id);
}
