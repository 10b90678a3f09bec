import { once } from 'node:events';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureDevCertificate,
  tlsServerOptions,
  type DevCertificate,
} from '../../../src/http/tls/index.js';
import { BODY, fetchOverTls, makeTempDir, startServer, type TestServer } from './support.js';

interface PlainOutcome {
  status: number | undefined;
  body: string;
  error: Error | undefined;
}

function plainHttpGet(port: number): Promise<PlainOutcome> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body, error: undefined }));
      res.on('error', (error) => resolve({ status: res.statusCode, body, error }));
    });
    req.on('error', (error) => resolve({ status: undefined, body: '', error }));
  });
}

describe('HTTPS port hygiene', () => {
  let dev: DevCertificate;
  let server: TestServer;
  let removeDir: () => Promise<void>;

  beforeAll(async () => {
    const tmp = await makeTempDir();
    removeDir = tmp.remove;
    dev = await ensureDevCertificate(tmp.dir);
    server = await startServer(tlsServerOptions(dev));
  });
  afterAll(async () => {
    await server?.close();
    await removeDir?.();
  });

  it('gives a plain-HTTP request to the HTTPS port nothing from the handler', async () => {
    const calls = server.handlerCalls();
    const refused = server.nextClientError();
    const outcome = await plainHttpGet(server.port);
    expect(outcome.body).not.toContain(BODY);
    expect(outcome.status === undefined || outcome.status >= 400).toBe(true);
    expect(outcome.error).toBeDefined(); // on Node 20: ECONNRESET, "socket hang up"
    expect(server.handlerCalls()).toBe(calls);
    expect((await refused).code).toBe('ERR_SSL_HTTP_REQUEST');
  });

  it('control: the same plain-HTTP client does read the body from an HTTP server', async () => {
    const plain = http.createServer((_req, res) => res.end(BODY));
    plain.listen(0, '127.0.0.1');
    await once(plain, 'listening');
    try {
      const outcome = await plainHttpGet((plain.address() as { port: number }).port);
      expect(outcome).toEqual({ status: 200, body: BODY, error: undefined });
    } finally {
      plain.close();
    }
  });

  // Session tickets are off (see tls-options.ts): a returning client does a full handshake.
  it.each(['TLSv1.2', 'TLSv1.3'] as const)('does not resume %s sessions', async (version) => {
    const first = await fetchOverTls(server.port, dev.certPem, { maxVersion: version });
    expect(first.protocol).toBe(version);
    const second = await fetchOverTls(server.port, dev.certPem, {
      maxVersion: version,
      session: first.sessions.at(-1),
    });
    expect(second).toMatchObject({ body: BODY, protocol: version, reused: false });
  });

  it('control: a server with Node defaults resumes the same client sessions', async () => {
    const defaults = await startServer({ cert: dev.certPem, key: dev.keyPem });
    try {
      for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
        const first = await fetchOverTls(defaults.port, dev.certPem, { maxVersion: version });
        const second = await fetchOverTls(defaults.port, dev.certPem, {
          maxVersion: version,
          session: first.sessions.at(-1),
        });
        expect(second.reused).toBe(true);
      }
    } finally {
      await defaults.close();
    }
  });
});
