import type { FastifyRequest } from 'fastify';

/** Query parameters in their original order, repeats kept (FHIR search needs both). */
export function queryPairs(url: string): Array<[string, string]> {
  const q = url.indexOf('?');
  return q < 0 ? [] : [...new URLSearchParams(url.slice(q + 1))];
}

const SAFE_HOST = /^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9a-fA-F:]+\](:[0-9]{1,5})?$/;

/** Base for absolute links: the configured public URL, else the Host header if well-formed. */
export function publicOrigin(req: FastifyRequest, configured: string | undefined): string {
  if (configured) return configured;
  const host = (req.headers.host ?? '').toLowerCase();
  return `https://${SAFE_HOST.test(host) ? host : 'localhost'}`;
}
