import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';

/**
 * helmet's response headers, worked out once at start-up and set on every response by one cheap
 * hook. @fastify/helmet builds a new helmet middleware (parsing the whole policy again) for every
 * request, about 4% of a FHIR read's CPU (docs/performance.md, "Where a read's time goes");
 * without per-request CSP nonces its headers never vary, so the same ones are copied instead.
 * They are found by asking helmet itself: a throwaway Fastify instance with the plugin answers one
 * injected request, and every header it adds beyond a plain instance's is kept.
 */
export async function securityHeaders(
  options: FastifyHelmetOptions,
): Promise<Record<string, string>> {
  const probe = async (withHelmet: boolean) => {
    const app = Fastify({ logger: false });
    if (withHelmet) await app.register(helmet, options);
    app.get('/', async () => '');
    const res = await app.inject('/');
    await app.close();
    return res.headers;
  };
  const [plain, secured] = await Promise.all([probe(false), probe(true)]);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(secured)) {
    if (name in plain || value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  if (!('content-security-policy' in headers) || !('strict-transport-security' in headers))
    throw new Error('security headers: helmet set no CSP or HSTS header');
  return headers;
}

/** Sets the precomputed headers at the start of every request (where helmet set them). */
export function installSecurityHeaders(
  app: FastifyInstance,
  headers: Record<string, string>,
): void {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}
