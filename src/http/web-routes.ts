import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The page's policy: its own script and style files and nothing else — no inline script or
 * style, no other origin, no framing, no plugins (docs/decisions/0023-web-app.md). It replaces
 * helmet's general policy on the app's own responses only.
 */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  // A visit recording plays from a blob: the bytes fetched once (one audited download).
  "media-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "worker-src 'none'",
  "manifest-src 'self'",
].join('; ');

/** Where `npm run build` (vite build, web/vite.config.ts) writes the app: dist/web. */
const DEFAULT_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/** Paths that belong to the server; the app's client-side routes never shadow them. */
/** The only asset file names served: a hashed name of word characters and dashes. */
export const ASSET_FILE = /^[\w-]+\.(js|css)$/;

const SERVER_PATHS = /^\/(api|fhir|bench|oauth2|\.well-known)(\/|$)|^\/(healthz|readyz)$/;

export interface WebRouteOptions {
  /** The built app (index.html and assets/); default dist/web. */
  root?: string;
}

/**
 * The web app (web/): hashed assets under /assets/, and index.html for every other GET that is
 * not the server's own (/api, /fhir, the probes), so client-side routes work on reload. The
 * files hold no PHI; the data comes later, from /api and /fhir/R4, under the session.
 */
export async function webRoutes(app: FastifyInstance, opts: WebRouteOptions = {}): Promise<void> {
  const root = opts.root ?? DEFAULT_ROOT;
  const built = fs.existsSync(path.join(root, 'index.html'));
  if (built)
    await app.register(fastifyStatic, { root, serve: false, index: false, preCompressed: true });
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('content-security-policy', WEB_CSP);
    // Content-hashed names never change and hold no PHI: they may be kept. Everything else
    // keeps the server's no-store (set by the app-wide hook, which runs before this one).
    if (reply.statusCode === 200 && request.routeOptions.url === '/assets/*') {
      reply.header('cache-control', 'public, max-age=31536000, immutable');
      // The same URL answers brotli, gzip or plain bytes: a shared cache must tell them apart.
      reply.header('vary', 'accept-encoding');
    }
    return payload;
  });

  const page = (reply: FastifyReply) => {
    if (!built) {
      // Not a 5xx: the server is well, it just has no pages to serve (an API-only install).
      return reply
        .status(404)
        .type('text/plain; charset=utf-8')
        .send('The web app is not built. Run `npm run build`.');
    }
    // The shell may change at each release: never cached (the onSend hook says no-store).
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  };

  app.get('/favicon.svg', { config: { permission: 'public' } }, async (_req, reply) =>
    built ? reply.sendFile('favicon.svg') : reply.callNotFound(),
  );
  app.get<{ Params: { '*': string } }>(
    '/assets/*',
    { config: { permission: 'public' } },
    async (req, reply) => {
      const file = req.params['*'];
      // Only the built files themselves; their .br/.gz twins are chosen by Accept-Encoding.
      if (!built || !ASSET_FILE.test(file)) return reply.callNotFound();
      return reply.sendFile(`assets/${file}`);
    },
  );
  const maxParamLength = app.initialConfig.maxParamLength ?? 100;
  app.get('/*', { config: { permission: 'public' } }, async (req, reply) => {
    const url = req.raw.url ?? '/';
    const pathname = url.split('?')[0]!;
    // A server path whose part is over the router's length limit falls through to this
    // catch-all instead of the router's own 414: answer it as the router would have.
    if (SERVER_PATHS.test(pathname) && pathname.split('/').some((p) => p.length > maxParamLength))
      throw pathTooLong();
    // A file name (an extension) that is not an asset, or a server path: the ordinary 404.
    if (SERVER_PATHS.test(pathname) || /\.[a-z0-9]+$/i.test(pathname)) return reply.callNotFound();
    return page(reply);
  });
}

/** Fastify's own error for a path part over the limit (errors.ts answers it with a fixed text). */
function pathTooLong(): Error {
  return Object.assign(new Error('a part of the URL is too long'), {
    code: 'FST_ERR_MAX_PARAM_LENGTH',
    statusCode: 414,
  });
}
