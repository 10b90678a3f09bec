import swagger from '@fastify/swagger';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { RoutePermission } from './permissions.js';
import type { ApiApp } from './route-schemas.js';
import { openApiDocument } from './schemas/health.js';

/**
 * The OpenAPI 3.1 description of /api, generated from the routes' own zod schemas by
 * @fastify/swagger (ADR 0020). Only /api is described: the FHIR API describes itself in its
 * CapabilityStatement (GET /fhir/R4/metadata). Register before any route: the plugin collects
 * routes as they are added.
 */
export async function registerOpenApi(
  app: FastifyInstance,
  software: { name: string; version: string },
): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: `${software.name} API`,
        version: software.version,
        description:
          'Sign-in, passkeys, app tokens, emergency access, user administration and the ' +
          'accounting of disclosures. Clinical records are served by the FHIR R4 API at ' +
          '/fhir/R4 (its CapabilityStatement is GET /fhir/R4/metadata). Every refusal is ' +
          '`{ error: { code, message, requestId } }` and never repeats the input.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: '__Host-haven_session' },
          csrf: {
            type: 'apiKey',
            in: 'header',
            name: 'x-csrf-token',
            description: 'The __Host-haven_csrf cookie, repeated on every state-changing request',
          },
          bearer: { type: 'http', scheme: 'bearer', description: 'An API client or app token' },
        },
      },
    },
    transformObject: jsonSchemaTransformObject,
    transform: (doc) => {
      if (!doc.url.startsWith('/api/')) return { schema: { hide: true } as never, url: doc.url };
      const out = jsonSchemaTransform(doc);
      return {
        url: out.url,
        schema: { ...out.schema, ...securityOf(doc.route) } as typeof out.schema,
      };
    },
  });
}

/** GET /api/openapi.json: public, like the CapabilityStatement; it describes no PHI. */
export function openApiRoute(app: ApiApp): void {
  // @fastify/swagger builds the document once, on the first call, and caches it.
  app.get(
    '/api/openapi.json',
    { config: { permission: 'public' }, schema: openApiDocument },
    async () => app.swagger() as { openapi: string },
  );
}

/** Who may call a route, from the permission it declares (src/http/permissions.ts). */
function securityOf(route: RouteOptions): Record<string, unknown> {
  const permission = (route.config as { permission?: RoutePermission } | undefined)?.permission;
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const changes = methods.some((m) => m !== 'GET' && m !== 'HEAD');
  const session = changes ? { session: [], csrf: [] } : { session: [] };
  const security =
    permission === 'public' || permission === 'session:start'
      ? []
      : permission?.startsWith('audit:')
        ? [{ bearer: [] }, session]
        : [session];
  return { security, 'x-haven-permission': permission };
}
