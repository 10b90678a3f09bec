import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ACTIONS } from '../../src/access/index.js';
import { declaredRoutes } from '../../src/http/index.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';

describe('every route declares its permission', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer('sqlite');
  });
  afterAll(async () => t.stop());

  it('lists every registered route with a declaration', () => {
    const printed = t.server.app.printRoutes({ commonPrefix: false });
    expect(declaredRoutes.length).toBeGreaterThan(10);
    for (const r of declaredRoutes)
      expect(r.permission).toMatch(/^(public|(fhir|audit|session):[a-z]+|api:[a-z-]+:[a-z]+)$/);
    // Every api: permission names an action of the role table (src/access/policy-table.ts).
    for (const r of declaredRoutes.filter((d) => d.permission.startsWith('api:')))
      expect(API_ACTIONS).toContain(r.permission.slice('api:'.length));
    // Every /api route beyond one's own session is decided by the role table.
    const apiRoutes = declaredRoutes.filter(
      (r) => r.url.startsWith('/api/admin') || r.url === '/api/break-glass',
    );
    expect(apiRoutes.length).toBeGreaterThanOrEqual(5);
    for (const r of apiRoutes.filter((d) => d.method !== 'GET' || d.url.startsWith('/api/admin')))
      expect(r.permission).toMatch(/^api:/);
    // Every FHIR data route is behind a non-public permission except the CapabilityStatement,
    // SMART discovery and the CORS preflight for registered apps (ADR 0035), none with PHI.
    const publicFhir = declaredRoutes.filter(
      (r) => r.url.startsWith('/fhir/') && r.permission === 'public',
    );
    expect(publicFhir.map((r) => `${r.method} ${r.url}`).sort()).toEqual([
      'GET /fhir/R4/.well-known/smart-configuration',
      'GET /fhir/R4/metadata',
      'OPTIONS /fhir/R4/*',
    ]);
    expect(printed).toContain('metadata');
  });

  it('refuses to start an app with an undeclared route', async () => {
    const { default: Fastify } = await import('fastify');
    const { requirePermissionDeclarations } = await import('../../src/http/permissions.js');
    const app = Fastify();
    requirePermissionDeclarations(app);
    expect(() => app.get('/sneaky', async () => 'phi')).toThrow(/declares no permission/);
    await app.close();
  });
});
