/** A small HTTPS client for setup work (seeding, capturing bodies); the measured load uses autocannon. */
import type { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * `token` is the API client's bearer token, or null for requests that carry their own
 * credentials (a session cookie) in `headers`, which override the FHIR defaults.
 */
export function makeClient(base: string, ca: string, token: string | null) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 8, ca, servername: 'localhost' });
  const send = (
    method: string,
    path: string,
    body?: unknown,
    extra: Record<string, string> = {},
  ): Promise<Reply> => sendOnce(method, path, body, extra, 0);
  const sendOnce = (
    method: string,
    path: string,
    body: unknown,
    extra: Record<string, string>,
    attempt: number,
  ): Promise<Reply> => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = {
      accept: 'application/fhir+json',
      ...(payload
        ? { 'content-type': 'application/fhir+json', 'content-length': String(payload.length) }
        : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...extra,
    };
    return new Promise((resolve, reject) => {
      const req = https.request(new URL(path, base), { method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed (its idle timeout) just as this request was
        // written on it: the request never reached the server, so sending it again is safe
        // (Node's advice for `reusedSocket`). A reset on a fresh socket is a real failure.
        if (req.reusedSocket && e.code === 'ECONNRESET' && attempt < 2)
          resolve(sendOnce(method, path, body, extra, attempt + 1));
        else reject(e);
      });
      req.end(payload);
    });
  };
  return { send, close: () => agent.destroy() };
}
