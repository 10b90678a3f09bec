import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredRoutes } from '../../src/http/index.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';

/**
 * Routes as data (issue 14 part 4, ADR 0020): GET /api/openapi.json is a valid OpenAPI 3.1
 * document generated from the routes' zod schemas, and it lists exactly the /api routes the
 * app registers, each with its input and its answers. The document describes routes, not
 * storage, so one engine serves it (as in route-permissions.test.ts).
 */

/**
 * The /api POSTs that take no body (the request itself is the action, its target in the path).
 * Every other POST must document its body: adding a POST here is a decision, reviewed with it.
 */
const BODYLESS = [
  'POST /api/logout',
  'POST /api/session/touch',
  'POST /api/sessions/{handle}/end',
  'POST /api/mfa/totp/setup',
  'POST /api/webauthn/register/options',
  'POST /api/login/webauthn/options',
  'POST /api/login/passkey/options',
  'POST /api/admin/approvals/{id}/approve',
  'POST /api/admin/users/{id}/disable',
  'POST /api/admin/users/{id}/reset-mfa',
  'POST /api/admin/users/{id}/unlock',
  'POST /api/admin/users/{id}/resend-invitation',
  'POST /api/app-tokens/{id}/revoke',
  'POST /api/scheduling/appointments/{id}/cancel',
  'POST /api/break-glass/{id}/end',
  'POST /api/visits/{id}/recordings',
  'POST /api/visits/{id}/recordings/{recording}/stop',
];

interface Operation {
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  parameters?: { in: string; name: string; schema?: unknown }[];
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  security?: unknown[];
}
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

describe('the OpenAPI description of /api', () => {
  let t: TestServer;
  let doc: Doc;
  let registered: string[];

  beforeAll(async () => {
    const before = declaredRoutes.length;
    t = await startTestServer('sqlite');
    registered = [
      ...new Set(
        declaredRoutes
          .slice(before)
          .filter((r) => r.url.startsWith('/api/') && r.method !== 'HEAD')
          .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`),
      ),
    ].sort();
    const res = await t.request('GET', '/api/openapi.json', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.json() as unknown as Doc;
  }, 120_000);
  afterAll(async () => t?.stop());

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })),
    );

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('lists every registered /api route, and only those', () => {
    expect(registered.length).toBeGreaterThan(30);
    expect(
      operations()
        .map((o) => o.key)
        .sort(),
    ).toEqual(registered);
    // Nothing outside /api: the FHIR API describes itself in its CapabilityStatement.
    expect(Object.keys(doc.paths).filter((p) => !p.startsWith('/api/'))).toEqual([]);
  });

  it('documents each route’s input and answers', () => {
    for (const { key, op } of operations()) {
      const [method, path] = key.split(' ') as [string, string];
      // A 2xx answer (101 for the WebSocket upgrade), and the refusal every /api route can give.
      const ok = Object.keys(op.responses ?? {}).filter((s) => /^(2\d\d|101)$/.test(s));
      expect([key, ok.length > 0]).toEqual([key, true]);
      expect([key, Object.keys(op.responses!)]).toEqual([key, expect.arrayContaining(['4XX'])]);
      // Each path parameter, with a schema.
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const params = (op.parameters ?? []).filter((p) => p.in === 'path');
      expect([key, params.map((p) => p.name).sort()]).toEqual([key, names.sort()]);
      for (const p of params) expect([key, p.schema]).toEqual([key, expect.any(Object)]);
      // A body schema for every POST and PUT that takes a body; none for GET and DELETE.
      const body = op.requestBody?.content?.['application/json']?.schema;
      const wantsBody = (method === 'POST' || method === 'PUT') && !BODYLESS.includes(key);
      expect([key, body !== undefined]).toEqual([key, wantsBody]);
      // Who may call it, from the route's declared permission.
      expect([key, Array.isArray(op.security)]).toEqual([key, true]);
    }
    // The bodyless list names only routes that exist.
    const keys = operations().map((o) => o.key);
    for (const k of BODYLESS) expect(keys).toContain(k);
  });

  it('shows the sign-in body with its bounds, and a refusal with its fields', () => {
    const login = doc.paths['/api/login']!.post!;
    expect(login.requestBody!.content!['application/json']!.schema).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['email', 'password']),
      properties: { password: { type: 'string', minLength: 1, maxLength: 1024 } },
    });
    expect(login.security).toEqual([]);
    expect(doc.paths['/api/session']!.get!.security).toEqual([{ session: [] }]);
  });
});
