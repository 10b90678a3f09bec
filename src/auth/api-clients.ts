import crypto from 'node:crypto';
import { parseScopes, ScopeSyntaxError, type Scope } from './scopes.js';
import type { Principal } from './principal.js';

/** The slice of the store this needs; the store's ClientRepository satisfies it. */
export interface ClientStore {
  insert(c: {
    id: string;
    name: string;
    tokenHash: Buffer;
    scopes: string;
    userId?: string | undefined;
    createdAt?: string | undefined;
  }): Promise<void>;
  findActiveByTokenHash(tokenHash: Buffer): Promise<
    | {
        id: string;
        name: string;
        scopes: string;
        userId?: string | null | undefined;
        createdAt?: string | undefined;
      }
    | undefined
  >;
}

/** A person's own app tokens, listed and revoked from their session (ClientRepository). */
export interface AppTokenStore extends ClientStore {
  listForUser(
    userId: string,
  ): Promise<{ id: string; name: string; scopes: string; createdAt: string }[]>;
  /** Revokes the token if it is this person's and still active; false otherwise. */
  revokeForUser(id: string, userId: string): Promise<boolean>;
}

const TOKEN_PREFIX = 'hvn_';
const TOKEN = /^hvn_[A-Za-z0-9_-]{43}$/;

/**
 * Bearer tokens carry 256 random bits, so a fast hash is enough to store them: there is nothing
 * to brute-force, unlike a password. Lookup by hash also means no comparison on the secret itself.
 */
export function hashToken(token: string): Buffer {
  return crypto.createHash('sha256').update(token).digest();
}

export async function createApiClient(
  store: ClientStore,
  name: string,
  scopeText: string,
): Promise<{ id: string; token: string; scopes: Scope[] }> {
  const scopes = parseScopes(scopeText);
  // Integrations act as themselves: patient/ and user/ scopes need a person, which clients are not.
  const personal = scopes.find((s) => s.context !== 'system');
  if (personal)
    throw new ScopeSyntaxError(
      `API clients take system/ scopes only (got a ${personal.context}/ scope)`,
    );
  if (!/^[\w .-]{1,64}$/.test(name))
    throw new Error('client name must be 1-64 letters, digits, spaces, . _ -');
  return issueToken(store, name, scopes, {});
}

/** A fresh 256-bit bearer token; only its hash is stored, the token is returned once. */
async function issueToken(
  store: ClientStore,
  name: string,
  scopes: Scope[],
  owner: { userId?: string; createdAt?: string },
): Promise<{ id: string; token: string; scopes: Scope[] }> {
  const id = crypto.randomUUID();
  const token = TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
  await store.insert({
    id,
    name,
    tokenHash: hashToken(token),
    scopes: scopes.map(formatScope).join(' '),
    ...owner,
  });
  return { id, token, scopes };
}

/** Resolves a bearer token to its client principal, or undefined for unknown/revoked/malformed. */
export async function authenticateClientToken(
  store: ClientStore,
  token: string,
): Promise<Principal | undefined> {
  if (!TOKEN.test(token)) return undefined;
  const row = await store.findActiveByTokenHash(hashToken(token));
  // An app token acts for a person, never as an integration (resolveAppToken).
  if (!row || row.userId) return undefined;
  return {
    kind: 'client',
    id: row.id,
    label: row.name,
    roles: [],
    scopes: parseScopes(row.scopes),
  };
}

/**
 * An app token: a bearer token a signed-in person makes for an app that acts for them. It
 * carries `user/` or `patient/` SMART scopes, and the person's roles still apply on top (the
 * access decision needs both). `system/` scopes are for integrations and refused here.
 */
export async function createAppToken(
  store: ClientStore,
  userId: string,
  name: string,
  scopeText: string,
  now: Date,
): Promise<{ id: string; token: string; scopes: Scope[] }> {
  const scopes = parseScopes(scopeText);
  const system = scopes.findIndex((s) => s.context === 'system');
  if (system >= 0)
    throw new ScopeSyntaxError('app tokens take user/ and patient/ scopes only', system);
  if (!/^[\w .-]{1,64}$/.test(name))
    throw new Error('app name must be 1-64 letters, digits, spaces, . _ -');
  return issueToken(store, name, scopes, { userId, createdAt: now.toISOString() });
}

/** The person an app token acts for, with its scopes, or undefined (unknown, revoked, a client). */
export async function resolveAppToken(
  store: ClientStore,
  token: string,
): Promise<{ clientId: string; userId: string; scopes: Scope[]; createdAt: string } | undefined> {
  if (!TOKEN.test(token)) return undefined;
  const row = await store.findActiveByTokenHash(hashToken(token));
  if (!row?.userId) return undefined;
  return {
    clientId: row.id,
    userId: row.userId,
    scopes: parseScopes(row.scopes),
    createdAt: row.createdAt ?? '',
  };
}

function formatScope(s: Scope): string {
  const order = ['c', 'r', 'u', 'd', 's'] as const;
  return `${s.context}/${s.resourceType}.${order.filter((i) => s.interactions.has(i)).join('')}`;
}
