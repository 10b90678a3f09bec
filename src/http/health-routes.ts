import type { FastifyInstance } from 'fastify';
import { checkReadiness, type Haven } from '../app/index.js';

/**
 * Probes for load balancers and orchestrators. Public, so they say nothing an attacker could
 * use: no version, no host names, no PHI — a status and, for readiness, which dependency failed.
 *
 * - GET /healthz: liveness. The process answers HTTP; restarting it would not help otherwise.
 * - GET /readyz: readiness. 200 when the database answers, the keyring still unwraps a system
 *   key and Redis (when configured) answers; 503 with Retry-After otherwise, so traffic goes
 *   elsewhere until it recovers.
 */
export function healthRoutes(app: FastifyInstance, haven: Haven): void {
  app.get('/healthz', { config: { permission: 'public' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { permission: 'public' } }, async (request, reply) => {
    const { ready, checks } = await checkReadiness(haven);
    if (!ready) {
      const failed = Object.keys(checks).filter((k) => checks[k] !== 'ok');
      request.log.warn({ event: 'not-ready', failed }, 'readiness check failed');
      reply.status(503).header('retry-after', '5');
    }
    return { status: ready ? 'ready' : 'not-ready', checks };
  });
}
