import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/haven-server.js';

/**
 * A GET carrying a large body Fastify never reads, to a route whose answer is larger than the
 * socket buffers: before src/http/drain-unread-body.ts both sides waited on each other until a
 * timeout (found by the route fuzzing). Each request runs on its own connection, as a client
 * that writes its whole body before reading would.
 */
describe('a body sent with a GET', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer('sqlite');
  });
  afterAll(async () => t.stop());

  const send = (urlPath: string, body: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const req = https.request(
        new URL(urlPath, t.server.url),
        {
          method: 'GET',
          agent: false,
          ca: t.ca,
          servername: 'localhost',
          headers: { 'content-type': 'application/fhir+json', 'content-length': body.length },
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  it.each(['/api/openapi.json', '/fhir/R4/metadata'])(
    'is read and discarded, so %s (a large answer) still comes back',
    async (urlPath) => {
      const body = Buffer.from('x'.repeat(t.config.bodyLimitBytes + 1));
      expect(await send(urlPath, body)).toBe(200);
    },
    20_000,
  );
});
