import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
      expect(r.permission).toMatch(/^(public|(fhir|audit|session):[a-z]+)$/);
    // Every FHIR data route is behind a non-public permission except the CapabilityStatement.
    const publicFhir = declaredRoutes.filter(
      (r) => r.url.startsWith('/fhir/') && r.permission === 'public',
    );
    expect(publicFhir.map((r) => `${r.method} ${r.url}`).sort()).toEqual([
      'DELETE /fhir/R4/:type/:id',
      'GET /fhir/R4/metadata',
      'PATCH /fhir/R4/:type/:id',
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
