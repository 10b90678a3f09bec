import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The paths a browser SMART app calls from its own origin (ADR 0035). */
const CORS_PATHS =
  /^\/(fhir\/R4|oauth2\/(token|revoke)|\.well-known\/smart-configuration)(\/|$|\?)/;

/**
 * Cross-origin access for registered SMART apps only: a request whose Origin is the origin of a
 * live app's redirect URI is answered with that origin in Access-Control-Allow-Origin, without
 * credentials, so a browser never attaches Haven's session cookie: an app authenticates with
 * its bearer token alone. Any other origin gets no CORS headers (the browser refuses the answer).
 */
export function installSmartCors(
  app: FastifyInstance,
  allowedOrigins: () => Promise<ReadonlySet<string>>,
): void {
  const allowed = async (req: FastifyRequest): Promise<string | undefined> => {
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || !CORS_PATHS.test(req.url)) return undefined;
    return (await allowedOrigins()).has(origin) ? origin : undefined;
  };
  app.addHook('onSend', async (req, reply, payload) => {
    if (!CORS_PATHS.test(req.url)) return payload;
    const origin = await allowed(req);
    if (origin !== undefined) {
      reply.header('access-control-allow-origin', origin);
      reply.header(
        'access-control-expose-headers',
        'location, etag, content-location, x-request-id',
      );
    }
    reply.header('vary', 'origin');
    return payload;
  });
  // Preflight: Haven's own routes answer the real request; this says which may be sent.
  for (const url of [
    '/fhir/R4/*',
    '/oauth2/token',
    '/oauth2/revoke',
    '/.well-known/smart-configuration',
  ])
    app.options(url, { config: { permission: 'public' } }, async (req, reply) => {
      if ((await allowed(req)) === undefined) return reply.status(403).send();
      return reply
        .status(204)
        .header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE')
        .header(
          'access-control-allow-headers',
          'authorization, content-type, accept, if-match, if-none-exist, if-none-match, prefer',
        )
        .header('access-control-max-age', '600')
        .send();
    });
}

/** The origins of live apps' redirect URIs. */
export function originsOf(clients: { redirectUris: string[]; revokedAt: string | null }[]) {
  return new Set(
    clients
      .filter((c) => c.revokedAt === null)
      .flatMap((c) => c.redirectUris.map((u) => new URL(u).origin)),
  );
}
