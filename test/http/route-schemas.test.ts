import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { installErrorHandlers } from '../../src/http/errors.js';
import { installRouteSchemas, UndocumentedRouteError } from '../../src/http/route-schemas.js';
import { ApiError } from '../../src/http/session-auth.js';

/**
 * The route-schema mechanism alone (ADR 0020), on a bare Fastify app: an /api route without a
 * schema cannot be added; input is validated after the route's own guard (authorize first,
 * ADR 0010) and refused as `invalid-request` naming fields, never values; an answer carries only
 * what its schema names. The real routes are covered over HTTP (openapi.test.ts, the fuzzing
 * and canary sweeps, each route's own tests).
 */
const CANARY = 'qz7Hannelore4711';

describe('route schemas', () => {
  let app: FastifyInstance;
  const make = () => {
    app = Fastify();
    installRouteSchemas(app);
    installErrorHandlers(app);
    return app;
  };
  afterEach(async () => app?.close());

  it('refuses an /api route without a response schema at start-up', () => {
    const a = make();
    expect(() => a.get('/api/undocumented', async () => ({}))).toThrow(UndocumentedRouteError);
    // Routes outside /api are not described here (FHIR has its CapabilityStatement).
    expect(() => a.get('/fhir/R4/x', async () => ({}))).not.toThrow();
  });

  const guarded = (a: FastifyInstance) =>
    a.post(
      '/api/thing/:id',
      {
        preHandler: async (req) => {
          if (req.headers.authorization !== 'yes') throw new ApiError(401, 'who', 'sign in');
        },
        schema: {
          params: z.object({ id: z.string().regex(/^[a-z]{1,8}$/) }),
          body: z.object({ name: z.string().max(8), tags: z.array(z.string()).max(2) }),
          response: { 200: z.object({ name: z.string() }) },
        },
      },
      async (req) => ({ ...(req.body as object), secret: 'not in the schema' }),
    );

  it('decides access before it looks at the input', async () => {
    const a = make();
    guarded(a);
    const res = await a.inject({ method: 'POST', url: '/api/thing/BAD!', payload: { x: 1 } });
    expect(res.statusCode).toBe(401);
  });

  it('refuses bad input with invalid-request, naming fields and not values', async () => {
    const a = make();
    guarded(a);
    const send = (url: string, payload: unknown) =>
      a.inject({
        method: 'POST',
        url,
        payload: payload as object,
        headers: { authorization: 'yes' },
      });
    const body = await send('/api/thing/ok', { name: CANARY, tags: ['a', 5], [CANARY]: 1 });
    expect(body.statusCode).toBe(400);
    expect(body.json()).toEqual({
      error: {
        code: 'invalid-request',
        message: 'the request is not valid',
        requestId: expect.any(String),
        fields: ['name', 'tags.1'],
      },
    });
    expect(body.body).not.toContain(CANARY);
    const params = await send(`/api/thing/${CANARY}`, { name: 'a', tags: [] });
    expect([params.statusCode, params.json().error.fields]).toEqual([400, ['id']]);
    expect(params.body).not.toContain(CANARY);
    const none = await a.inject({
      method: 'POST',
      url: '/api/thing/ok',
      headers: { authorization: 'yes' },
    });
    expect([none.statusCode, none.json().error.code]).toEqual([400, 'invalid-request']);
  });

  it('answers only what the response schema names', async () => {
    const a = make();
    guarded(a);
    const res = await a.inject({
      method: 'POST',
      url: '/api/thing/ok',
      payload: { name: 'kept', tags: [] },
      headers: { authorization: 'yes' },
    });
    expect([res.statusCode, res.json()]).toEqual([200, { name: 'kept' }]);
  });
});
