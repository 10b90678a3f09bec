import type { FastifyInstance } from 'fastify';
import { OverloadedError } from './errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Requests this process is working on now (admitted, response not yet finished). */
    inFlight(): number;
  }
}

/**
 * An in-flight limit per process. A request beyond it is refused at once with 503 and
 * Retry-After, before authentication, body parsing or any database work, so it costs almost
 * nothing and holds no memory. Without a bound, every request past what the server can serve
 * waits in some queue (the audit writer's, the pool's, the event loop's), each one later than the
 * last: at 256 clients one request took 32 s and the held bodies and promises kept the memory up.
 * A refused request serves nothing and is not audited (no principal has been resolved yet).
 */
export function installInFlightLimit(app: FastifyInstance, limit: number): void {
  let inFlight = 0;
  app.decorate('inFlight', () => inFlight);
  app.addHook('onRequest', (request, reply, done) => {
    if (inFlight >= limit) {
      done(new OverloadedError('in-flight limit reached'));
      return;
    }
    inFlight++;
    // 'close' comes once per response, whether it finished or the client went away.
    reply.raw.once('close', () => {
      inFlight--;
    });
    done();
  });
}
