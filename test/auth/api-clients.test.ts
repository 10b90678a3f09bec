import { describe, expect, it } from 'vitest';
import {
  authenticateClientToken,
  createApiClient,
  hashToken,
  parseScopes,
  scopesAllow,
  ScopeSyntaxError,
  type ClientStore,
} from '../../src/auth/index.js';

function memoryStore(): ClientStore & {
  rows: { id: string; name: string; tokenHash: Buffer; scopes: string }[];
} {
  const rows: { id: string; name: string; tokenHash: Buffer; scopes: string }[] = [];
  return {
    rows,
    insert: async (c) => void rows.push(c),
    findActiveByTokenHash: async (h) => rows.find((r) => r.tokenHash.equals(h)),
  };
}

describe('SMART scopes', () => {
  it('parses v2 and v1 forms into interactions', () => {
    const [v2, v1read, v1write, all] = parseScopes(
      'system/Patient.rs system/Observation.read system/Condition.write system/*.*',
    );
    expect([...v2!.interactions].sort()).toEqual(['r', 's']);
    expect([...v1read!.interactions].sort()).toEqual(['r', 's']);
    expect([...v1write!.interactions].sort()).toEqual(['c', 'd', 'u']);
    expect(all!.resourceType).toBe('*');
    expect(scopesAllow([v2!], 'Patient', 'r')).toBe(true);
    expect(scopesAllow([v2!], 'Patient', 'c')).toBe(false);
    expect(scopesAllow([v2!], 'Observation', 'r')).toBe(false);
  });

  it.each([
    '',
    'system/patient.r',
    'system/Patient.x',
    'admin/Patient.r',
    'system/Patient.rs?category=x',
    'system/Patient.',
  ])('refuses %j', (text) => {
    expect(() => parseScopes(text)).toThrow(ScopeSyntaxError);
  });
});

describe('API clients', () => {
  it('stores only a hash of the token, which authenticates until revoked', async () => {
    const store = memoryStore();
    const { token, id } = await createApiClient(store, 'lab-feed', 'system/Observation.cu');
    expect(store.rows[0]!.tokenHash.equals(hashToken(token))).toBe(true);
    expect(JSON.stringify(store.rows)).not.toContain(token);
    expect((await authenticateClientToken(store, token))?.id).toBe(id);
    expect(
      await authenticateClientToken(store, token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')),
    ).toBeUndefined();
    expect(await authenticateClientToken(store, 'not-a-token')).toBeUndefined();
  });

  it('refuses patient/ and user/ scopes for integrations', async () => {
    await expect(createApiClient(memoryStore(), 'x', 'patient/Patient.r')).rejects.toBeInstanceOf(
      ScopeSyntaxError,
    );
    await expect(
      createApiClient(memoryStore(), 'x', 'system/Patient.r user/*.r'),
    ).rejects.toBeInstanceOf(ScopeSyntaxError);
  });
});
