import crypto from 'node:crypto';
import { parseScopes, ScopeSyntaxError, type Scope } from './scopes.js';
import type { Principal } from './principal.js';

/** The slice of the store this needs; the store's ClientRepository satisfies it. */
export interface ClientStore {
  insert(c: { id: string; name: string; tokenHash: Buffer; scopes: string }): Promise<void>;
  findActiveByTokenHash(
    tokenHash: Buffer,
  ): Promise<{ id: string; name: string; scopes: string } | undefined>;
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
  const id = crypto.randomUUID();
  const token = TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
  await store.insert({
    id,
    name,
    tokenHash: hashToken(token),
    scopes: scopes.map(formatScope).join(' '),
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
  if (!row) return undefined;
  return {
    kind: 'client',
    id: row.id,
    label: row.name,
    roles: [],
    scopes: parseScopes(row.scopes),
  };
}

function formatScope(s: Scope): string {
  const order = ['c', 'r', 'u', 'd', 's'] as const;
  return `${s.context}/${s.resourceType}.${order.filter((i) => s.interactions.has(i)).join('')}`;
}
