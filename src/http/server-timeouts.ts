import type { ServerTimeouts } from '../config/index.js';

/**
 * Limits on slow and idle clients, so a client that trickles its headers or body (slowloris)
 * cannot hold a connection open for long:
 * - `headersTimeout`: every request header within `headersMs` (408, then the socket closes);
 * - `requestTimeout`: the whole request, body included, within `requestMs`;
 * - `connectionsCheckingInterval`: how often Node checks those two limits;
 * - `keepAliveTimeout`: an idle kept-alive connection closes after `keepAliveMs`;
 * - Fastify's `connectionTimeout` (socket inactivity): a silent connection, even mid-TLS
 *   handshake, closes after `idleMs`.
 * The first three are options of the Node server Fastify creates from its `https` options.
 */
export function nodeServerTimeouts(t: ServerTimeouts) {
  return {
    headersTimeout: t.headersMs,
    requestTimeout: t.requestMs,
    connectionsCheckingInterval: t.checkEveryMs,
  };
}

export function fastifyTimeouts(t: ServerTimeouts) {
  return {
    requestTimeout: t.requestMs,
    keepAliveTimeout: t.keepAliveMs,
    connectionTimeout: t.idleMs,
  };
}
