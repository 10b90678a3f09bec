import type { FastifyInstance } from 'fastify';
import { FhirError } from '../records/index.js';

export interface AllowedHostOptions {
  /** The address the server listens on (0.0.0.0 and :: name no host of their own). */
  listenHost: string;
  /** The configured public URL, whose host is always allowed. */
  publicUrl: string | undefined;
  /** HAVEN_ALLOWED_HOSTS: `host` (on the listen port or 443) or `host:port`. */
  extra: readonly string[];
}

const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);
const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Whether a Host header names this server: host:port against the listen address, loopback on
 * the listen port, the public URL and HAVEN_ALLOWED_HOSTS. Links and Location headers are built
 * from Host when no public URL is configured, and a browser tricked by DNS rebinding sends the
 * attacker's name, so anything else is refused.
 */
export function hostAllowed(
  header: string | undefined,
  listenPort: number,
  o: AllowedHostOptions,
): boolean {
  const key = hostKey(header);
  if (key === undefined) return false;
  const allowed = new Set<string>();
  const listen = o.listenHost.includes(':') ? `[${o.listenHost}]` : o.listenHost;
  for (const h of [...LOOPBACK, ...(WILDCARD.has(listen) ? [] : [listen.toLowerCase()])])
    allowed.add(`${h}:${listenPort}`);
  if (o.publicUrl !== undefined) {
    const u = new URL(o.publicUrl);
    allowed.add(`${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`);
  }
  for (const e of o.extra) {
    if (/:[0-9]+$/.test(e) && !/^\[[^\]]*$/.test(e)) allowed.add(e);
    else for (const port of [listenPort, 443]) allowed.add(`${e}:${port}`);
  }
  return allowed.has(key);
}

/** `hostname:port` of a Host header (port 443 when absent), or undefined if malformed. */
function hostKey(header: string | undefined): string | undefined {
  if (header === undefined || !/^[A-Za-z0-9.\-:[\]]{1,262}$/.test(header)) return undefined;
  try {
    const u = new URL(`https://${header}`);
    if (u.username !== '' || u.pathname !== '/' || u.search !== '') return undefined;
    return `${u.hostname}:${u.port || '443'}`;
  } catch {
    return undefined;
  }
}

/**
 * Refuses (421 Misdirected Request, fixed text) any request whose Host is not this server's.
 * The health check answers whatever the Host, as load balancers probe by address.
 */
export function refuseUnknownHosts(app: FastifyInstance, o: AllowedHostOptions): void {
  app.addHook('onRequest', async (request) => {
    if (request.url === '/api/health') return;
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    if (!hostAllowed(request.headers.host, port, o))
      throw new FhirError(421, 'invalid', 'this server does not answer to that host name');
  });
}
