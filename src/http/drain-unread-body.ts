import type { FastifyInstance } from 'fastify';

/** Methods whose body Fastify never reads. */
const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A body sent with a GET is never read by Fastify. If the answer is larger than the socket
 * buffers (the OpenAPI document, the CapabilityStatement) and the client is still pushing an
 * unread body, both sides wait on each other until a timeout: a connection held for nothing
 * (found by test/security/fuzz-routes.test.ts). Such bodies are read and discarded.
 */
export function drainUnreadBodies(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (BODYLESS.has(request.method)) request.raw.resume();
    done();
  });
}
