import type { Scope } from '../scopes.js';
import { OAuthError } from './errors.js';
import { SMART_LIFETIMES, plusSeconds } from './lifetimes.js';
import { readScopes } from './requested-scopes.js';
import { newSecret, pkceMatches, secretHash } from './secrets.js';
import type { SmartClientRecord, SmartGrantRecord, SmartStore, SmartTokenRecord } from './store.js';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  patient?: string;
  id_token?: string;
}

/** Signs an OpenID Connect id_token for `openid fhirUser` (the caller holds the key). */
export type IdTokenSigner = (claims: {
  sub: string;
  aud: string;
  nonce?: string;
  fhirUser?: string;
}) => Promise<string>;

export interface TokenContext {
  store: SmartStore;
  now: Date;
  signIdToken?: IdTokenSigner | undefined;
  /** The person's FHIR resource (Patient/… or Practitioner/…), for the fhirUser claim. */
  fhirUser?: (userId: string) => Promise<string | undefined>;
}

/** What the audit trail records of an issued token: ids only. */
export interface Issued {
  response: TokenResponse;
  grantId: string;
  userId: string;
}

/**
 * grant_type=authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.6). The code is spent before
 * anything else is checked, so of parallel redemptions exactly one can win; a code presented a
 * second time revokes every token its first redemption made (RFC 6749 §4.1.2).
 */
export async function exchangeCode(
  c: TokenContext,
  client: SmartClientRecord,
  p: { code?: string | undefined; redirectUri?: string | undefined; verifier?: string | undefined },
): Promise<Issued> {
  if (!p.code || !p.redirectUri || !p.verifier)
    throw new OAuthError('invalid_request', 'code, redirect_uri and code_verifier are required');
  const at = c.now.toISOString();
  const won = await c.store.redeemCode(secretHash(p.code), at);
  if (!won) throw new OAuthError('invalid_grant', 'the code is unknown, used or expired');
  if ('replayed' in won) {
    await c.store.revokeGrant(won.replayed, at);
    throw new OAuthError('invalid_grant', 'the code is unknown, used or expired');
  }
  const g = won.grant;
  if (
    g.clientId !== client.id ||
    g.redirectUri !== p.redirectUri ||
    g.grantedScope === null ||
    g.userId === null ||
    g.revokedAt !== null ||
    (g.codeExpiresAt ?? '') <= at ||
    !pkceMatches(p.verifier, g.codeChallenge)
  )
    throw new OAuthError('invalid_grant', 'the code is unknown, used or expired');
  return issue(c, g.id, client.id, g.userId, g.grantedScope, g.patientId, g);
}

/**
 * grant_type=refresh_token (RFC 6749 §6), rotated on every use (OAuth 2.0 Security BCP §4.14.2):
 * the old refresh token is spent by a compare-and-set; presenting a spent one is taken as theft
 * and revokes the whole family (every token of that approval).
 */
export async function refreshTokens(
  c: TokenContext,
  client: SmartClientRecord,
  refreshToken: string | undefined,
): Promise<Issued & { reuse?: true }> {
  if (!refreshToken) throw new OAuthError('invalid_request', 'refresh_token is required');
  const at = c.now.toISOString();
  const hash = secretHash(refreshToken);
  const t = await c.store.token(hash);
  if (!t || t.kind !== 'refresh' || t.clientId !== client.id)
    throw new OAuthError('invalid_grant', 'the refresh token is unknown, revoked or expired');
  if (t.usedAt !== null || !(await c.store.useRefresh(hash, at))) {
    await c.store.revokeGrant(t.grantId, at);
    throw new ReusedRefreshToken(t.grantId, t.userId);
  }
  if (t.revokedAt !== null || t.expiresAt <= at || (await c.store.grantRevoked(t.grantId)))
    throw new OAuthError('invalid_grant', 'the refresh token is unknown, revoked or expired');
  return issue(c, t.grantId, client.id, t.userId, t.scope, t.patientId, undefined);
}

/** A spent refresh token came back: its family is revoked (audited by the caller). */
export class ReusedRefreshToken extends OAuthError {
  constructor(
    readonly grantId: string,
    readonly userId: string,
  ) {
    super('invalid_grant', 'the refresh token is unknown, revoked or expired');
  }
}

async function issue(
  c: TokenContext,
  grantId: string,
  clientId: string,
  userId: string,
  scope: string,
  patientId: string | null,
  grant: SmartGrantRecord | undefined,
): Promise<Issued> {
  const at = c.now.toISOString();
  const set = readScopes(scope);
  const access = newSecret('hvs_');
  const base = { grantId, clientId, userId, scope, patientId, createdAt: at, usedAt: null };
  await c.store.insertToken({
    ...base,
    tokenHash: secretHash(access),
    kind: 'access',
    expiresAt: plusSeconds(c.now, SMART_LIFETIMES.accessSeconds),
    revokedAt: null,
  });
  const response: TokenResponse = {
    access_token: access,
    token_type: 'Bearer',
    expires_in: SMART_LIFETIMES.accessSeconds,
    scope,
  };
  if (set.special.has('offline_access')) {
    const refresh = newSecret('hvr_');
    await c.store.insertToken({
      ...base,
      tokenHash: secretHash(refresh),
      kind: 'refresh',
      expiresAt: plusSeconds(c.now, SMART_LIFETIMES.refreshSeconds),
      revokedAt: null,
    });
    response.refresh_token = refresh;
  }
  if (patientId !== null) response.patient = patientId;
  if (set.special.has('openid') && c.signIdToken) {
    const fhirUser = set.special.has('fhirUser') ? await c.fhirUser?.(userId) : undefined;
    response.id_token = await c.signIdToken({
      sub: userId,
      aud: clientId,
      ...(grant?.nonce && { nonce: grant.nonce }),
      ...(fhirUser && { fhirUser }),
    });
  }
  return { response, grantId, userId };
}

/** The live access token's grant: who, through which app, with which scopes and patient. */
export interface SmartAccess {
  userId: string;
  clientId: string;
  grantId: string;
  scopes: Scope[];
  patientId: string | undefined;
  createdAt: string;
}

const ACCESS = /^hvs_[A-Za-z0-9_-]{43}$/;

/**
 * Resolves a bearer token on a FHIR request: unknown, expired or revoked tokens, tokens of a
 * revoked app and tokens of a revoked approval are all refused, on the very next request.
 */
export async function resolveAccessToken(
  store: SmartStore,
  token: string,
  now: Date,
): Promise<SmartAccess | undefined> {
  if (!ACCESS.test(token)) return undefined;
  const t = await store.token(secretHash(token));
  if (!t || !live(t, now, 'access')) return undefined;
  const client = await store.client(t.clientId);
  if (!client || client.revokedAt !== null) return undefined;
  if (await store.grantRevoked(t.grantId)) return undefined;
  return {
    userId: t.userId,
    clientId: t.clientId,
    grantId: t.grantId,
    scopes: readScopes(t.scope).resources,
    patientId: t.patientId ?? undefined,
    createdAt: t.createdAt,
  };
}

function live(t: SmartTokenRecord, now: Date, kind: SmartTokenRecord['kind']): boolean {
  return t.kind === kind && t.revokedAt === null && t.expiresAt > now.toISOString();
}

/**
 * RFC 7662 token introspection, for the client the token was issued to: another client's
 * token, like an unknown one, is simply `active: false`.
 */
export async function introspectToken(
  store: SmartStore,
  client: SmartClientRecord,
  token: string | undefined,
  now: Date,
): Promise<Record<string, unknown>> {
  if (!token) return { active: false };
  const t = await store.token(secretHash(token));
  if (
    !t ||
    t.clientId !== client.id ||
    t.revokedAt !== null ||
    t.usedAt !== null ||
    t.expiresAt <= now.toISOString() ||
    (await store.grantRevoked(t.grantId))
  )
    return { active: false };
  return {
    active: true,
    scope: t.scope,
    client_id: t.clientId,
    sub: t.userId,
    token_type: t.kind === 'access' ? 'Bearer' : 'refresh_token',
    iat: Math.floor(Date.parse(t.createdAt) / 1000),
    exp: Math.floor(Date.parse(t.expiresAt) / 1000),
    ...(t.patientId !== null && { patient: t.patientId }),
  };
}

/**
 * RFC 7009 revocation by the client the token was issued to. Revoking a refresh token revokes
 * its whole approval (§2.1); an access token alone, itself. Unknown tokens are not an error.
 */
export async function revokeToken(
  store: SmartStore,
  client: SmartClientRecord,
  token: string | undefined,
  now: Date,
): Promise<{ grantId: string; userId: string } | undefined> {
  if (!token) throw new OAuthError('invalid_request', 'token is required');
  const hash = secretHash(token);
  const t = await store.token(hash);
  if (!t || t.clientId !== client.id) return undefined;
  const at = now.toISOString();
  if (t.kind === 'refresh') await store.revokeGrant(t.grantId, at);
  else await store.revokeToken(hash, at);
  return { grantId: t.grantId, userId: t.userId };
}
