import crypto from 'node:crypto';
import { isClientId } from './clients.js';
import { OAuthError } from './errors.js';
import { SMART_LIFETIMES, plusSeconds } from './lifetimes.js';
import {
  describeScopes,
  formatScopes,
  intersectScopes,
  readScopes,
  type ScopeSet,
} from './requested-scopes.js';
import { CHALLENGE, newSecret, secretHash } from './secrets.js';
import type { SmartStore } from './store.js';

/** The query of GET /oauth2/authorize, as strings (anything absent is undefined). */
export type AuthorizeParams = Partial<
  Record<
    | 'response_type'
    | 'client_id'
    | 'redirect_uri'
    | 'scope'
    | 'state'
    | 'aud'
    | 'code_challenge'
    | 'code_challenge_method'
    | 'launch'
    | 'nonce',
    string
  >
>;

export type AuthorizeOutcome =
  /** The client or its redirect URI cannot be trusted: an error page, never a redirect. */
  | { kind: 'refused'; clientId?: string }
  /** Sent back to the app's redirect URI (RFC 6749 §4.1.2.1). */
  | { kind: 'redirect-error'; clientId: string; location: string; error: string }
  /** The person signs in (if need be) and decides on the consent page. */
  | { kind: 'consent'; clientId: string; grantId: string; request: string };

/**
 * Step one of the authorization code flow (RFC 6749 §4.1.1, SMART App Launch 2.0): checks the
 * client and its exact redirect URI first, then everything else; records the request under a
 * random handle for the consent page. PKCE with S256 is required; "plain" is refused.
 */
export async function startAuthorization(
  store: SmartStore,
  p: AuthorizeParams,
  fhirBase: string,
  now: Date,
): Promise<AuthorizeOutcome> {
  const client =
    p.client_id && isClientId(p.client_id) ? await store.client(p.client_id) : undefined;
  if (!client || client.revokedAt !== null) return { kind: 'refused' };
  if (!p.redirect_uri || !client.redirectUris.includes(p.redirect_uri))
    return { kind: 'refused', clientId: client.id };
  const fail = (error: string, description: string): AuthorizeOutcome => ({
    kind: 'redirect-error',
    clientId: client.id,
    error,
    location: redirectWith(p.redirect_uri!, {
      error,
      error_description: description,
      state: p.state,
    }),
  });
  if (p.response_type !== 'code')
    return fail('unsupported_response_type', 'only response_type=code is supported');
  if (p.code_challenge_method !== 'S256')
    return fail('invalid_request', 'PKCE with code_challenge_method=S256 is required');
  if (!p.code_challenge || !CHALLENGE.test(p.code_challenge))
    return fail('invalid_request', 'code_challenge must be a base64url SHA-256');
  if (!p.aud || p.aud.replace(/\/$/, '') !== fhirBase)
    return fail('invalid_request', 'aud must be this FHIR server');
  // Stored until the decision: bounded, and no NUL (PostgreSQL refuses it in text).
  if (
    (p.state?.length ?? 0) > 1024 ||
    (p.nonce?.length ?? 0) > 256 ||
    `${p.state ?? ''}${p.nonce ?? ''}`.includes('\u0000')
  )
    return fail('invalid_request', 'state or nonce is too long or not text');
  const granted = intersectScopes(readScopes(p.scope ?? ''), readScopes(client.scopes));
  if (granted.resources.length === 0)
    return fail('invalid_scope', 'no requested resource scope is allowed for this app');
  let launch: { userId: string; patientId: string } | undefined;
  if (p.launch !== undefined) {
    const l = await store.takeLaunch(secretHash(p.launch));
    if (!l || l.clientId !== client.id || l.expiresAt <= now.toISOString())
      return fail('invalid_request', 'the launch is unknown, used or expired');
    launch = l;
  }
  const request = newSecret('hvq_');
  const grantId = crypto.randomUUID();
  await store.insertGrant({
    id: grantId,
    requestHash: secretHash(request),
    clientId: client.id,
    redirectUri: p.redirect_uri,
    scope: formatScopes(granted),
    state: p.state ?? null,
    nonce: p.nonce ?? null,
    codeChallenge: p.code_challenge,
    launchPatient: launch?.patientId ?? null,
    launchUser: launch?.userId ?? null,
    createdAt: now.toISOString(),
    expiresAt: plusSeconds(now, SMART_LIFETIMES.requestSeconds),
  });
  return { kind: 'consent', clientId: client.id, grantId, request };
}

/** The signed-in person deciding: who they are, and the Patient they are, if they are one. */
export interface Decider {
  userId: string;
  patientId: string | undefined;
}

export class AuthorizationGoneError extends Error {
  readonly code = 'authorization-gone';
  constructor() {
    super('this authorization request is unknown, expired or already decided');
  }
}

async function pendingGrant(store: SmartStore, request: string, who: Decider, now: Date) {
  const grant = await store.grantByRequest(secretHash(request));
  if (
    !grant ||
    grant.decidedAt !== null ||
    grant.expiresAt <= now.toISOString() ||
    (grant.launchUser !== null && grant.launchUser !== who.userId)
  )
    throw new AuthorizationGoneError();
  const client = await store.client(grant.clientId);
  if (!client || client.revokedAt !== null) throw new AuthorizationGoneError();
  return { grant, client };
}

/** What the consent page shows: the app's name and the scopes in plain words. */
export async function describeAuthorization(
  store: SmartStore,
  request: string,
  who: Decider,
  now: Date,
): Promise<{ app: string; scopes: string[]; granted: string }> {
  const { grant, client } = await pendingGrant(store, request, who, now);
  const set = readScopes(grant.scope);
  return {
    app: client.name,
    scopes: describeScopes(set, who.patientId !== undefined),
    granted: grant.scope,
  };
}

/**
 * The person's answer. Approval records who approved and issues a single-use code (only its
 * hash is kept), redirected to the app with its state; denial sends `error=access_denied`. A
 * patient's approval is bound to their own Patient: a launch naming another is refused.
 */
export async function decideAuthorization(
  store: SmartStore,
  request: string,
  who: Decider,
  approve: boolean,
  now: Date,
): Promise<{ location: string; grantId: string; clientId: string; scope: string }> {
  const { grant } = await pendingGrant(store, request, who, now);
  const set: ScopeSet = readScopes(grant.scope);
  let patient: string | null = grant.launchPatient;
  if (who.patientId !== undefined) {
    if (patient !== null && patient !== who.patientId)
      throw new OAuthError('access_denied', 'a patient can share only their own record');
    patient = who.patientId;
  }
  const code = approve ? newSecret('hva_') : null;
  const decided = await store.decideGrant(grant.id, {
    userId: who.userId,
    grantedScope: approve ? formatScopes(set) : null,
    patientId: approve ? patient : null,
    decidedAt: now.toISOString(),
    codeHash: code ? secretHash(code) : null,
    codeExpiresAt: code ? plusSeconds(now, SMART_LIFETIMES.codeSeconds) : null,
  });
  if (!decided) throw new AuthorizationGoneError();
  const location = code
    ? redirectWith(grant.redirectUri, { code, state: grant.state ?? undefined })
    : redirectWith(grant.redirectUri, {
        error: 'access_denied',
        error_description: 'the person declined',
        state: grant.state ?? undefined,
      });
  return { location, grantId: grant.id, clientId: grant.clientId, scope: grant.scope };
}

function redirectWith(uri: string, params: Record<string, string | undefined>): string {
  const u = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u.toString();
}

/**
 * An EHR launch: Haven issues an opaque `launch` value naming the patient open in Haven, for one
 * app, used once within five minutes. Whether the person may see that patient is decided again
 * on every read the app makes (the token's scopes meet the person's access policy).
 */
export async function issueLaunch(
  store: SmartStore,
  l: { clientId: string; userId: string; patientId: string },
  now: Date,
): Promise<{ launch: string; launchUrl: string | null }> {
  const client = isClientId(l.clientId) ? await store.client(l.clientId) : undefined;
  if (!client || client.revokedAt !== null) throw new AuthorizationGoneError();
  const launch = newSecret('hvl_');
  await store.insertLaunch({
    idHash: secretHash(launch),
    ...l,
    expiresAt: plusSeconds(now, SMART_LIFETIMES.launchSeconds),
  });
  return { launch, launchUrl: client.launchUrl };
}
