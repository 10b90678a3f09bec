import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';

const REFUSED = 'this server does not answer to that host name';

/**
 * Without --public-url, links and Location come from the Host header (issue 13, item 10): only
 * this server's own names are answered. Slow clients are cut off by the configured limits.
 */
describe.each(ENGINES)('Host header on %s', (engine) => {
  let t: TestServer;
  let port: number;

  beforeAll(async () => {
    t = await startTestServer(engine, {
      env: { HAVEN_ALLOWED_HOSTS: 'haven.clinic.example, records.clinic.example:9443' },
    });
    port = Number(new URL(t.server.url).port);
  });
  afterAll(async () => t.stop());

  const withHost = (host: string, method = 'GET', path = '/fhir/R4/Patient', body?: unknown) =>
    t.request(method, path, { headers: { host }, ...(body !== undefined && { body }) });

  it('refuses a Host that is not this server, with a fixed answer and no link', async () => {
    for (const host of [
      'attacker.example',
      `attacker.example:${port}`,
      `127.0.0.1:${port + 1}`,
      'localhost',
      'haven.clinic.example.attacker.example',
      'records.clinic.example',
      'user@localhost',
      `[::2]:${port}`,
    ]) {
      for (const path of ['/fhir/R4/Patient', '/fhir/R4/metadata', '/api/session']) {
        const res = await withHost(host, 'GET', path);
        expect([host, path, res.status]).toEqual([host, path, 421]);
        expect(res.text).toContain(REFUSED);
        expect(res.text).not.toContain('attacker');
        expect(res.headers.location).toBeUndefined();
      }
    }
    const created = await withHost('attacker.example', 'POST', '/fhir/R4/Patient', {
      resourceType: 'Patient',
      name: [{ family: 'Testpatient' }],
    });
    expect(created.status).toBe(421);
    const search = (await t.request('GET', '/fhir/R4/Patient?family=Testpatient')).json() as {
      total: number;
    };
    expect(search.total).toBe(0);
    // The health check answers probes by address.
    expect((await withHost('10.1.2.3:8443', 'GET', '/api/health')).status).toBe(200);
  });

  it('answers its own names, and builds links from them', async () => {
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `LOCALHOST:${port}`,
      `[::1]:${port}`,
      'haven.clinic.example',
      `haven.clinic.example:${port}`,
      'records.clinic.example:9443',
    ]) {
      const res = await withHost(host, 'POST', '/fhir/R4/Patient', {
        resourceType: 'Patient',
        name: [{ family: 'Testpatient' }],
      });
      expect([host, res.status]).toEqual([host, 201]);
      expect(res.headers.location).toMatch(
        new RegExp(`^https://${host.toLowerCase().replace(/[.[\]]/g, '\\$&')}/fhir/R4/Patient/`),
      );
    }
  });
});

describe('a configured public URL', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer('sqlite', {
      env: { HAVEN_PUBLIC_URL: 'https://haven.clinic.example' },
    });
  });
  afterAll(async () => t.stop());

  it('is answered, and other names are not', async () => {
    const port = new URL(t.server.url).port;
    expect(
      (await t.request('GET', '/fhir/R4/metadata', { headers: { host: 'haven.clinic.example' } }))
        .status,
    ).toBe(200);
    expect(
      (await t.request('GET', '/fhir/R4/metadata', { headers: { host: `localhost:${port}` } }))
        .status,
    ).toBe(200);
    expect(
      (await t.request('GET', '/fhir/R4/metadata', { headers: { host: 'attacker.example' } }))
        .status,
    ).toBe(421);
  });
});

/**
 * Opens a TLS connection, sends `first`, then trickles `drip` one byte at a time (or nothing,
 * when it is empty) until the server closes the connection; resolves with what the server sent. The server's limits are
 * tiny here, so the test ends when they fire; nothing measures time.
 */
function trickle(t: TestServer, first: string, drip: string): Promise<string> {
  const url = new URL(t.server.url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: url.hostname,
      port: Number(url.port),
      ca: t.ca,
      servername: 'localhost',
    });
    let received = '';
    let i = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on('secureConnect', () => {
      socket.write(first);
      if (drip === '') return;
      timer = setInterval(() => {
        if (!socket.writable) return;
        socket.write(drip[i % drip.length]!);
        i += 1;
      }, 20);
    });
    socket.on('data', (c: Buffer) => (received += c.toString('latin1')));
    socket.on('error', () => undefined); // a reset is one way of being cut off
    socket.on('close', () => {
      clearInterval(timer);
      resolve(received);
    });
    socket.setTimeout(60_000, () => reject(new Error('the server never cut the connection')));
  });
}

describe.each(ENGINES)('slow clients on %s', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, {
      env: {
        HAVEN_HEADERS_TIMEOUT_MS: '300',
        HAVEN_REQUEST_TIMEOUT_MS: '600',
        HAVEN_TIMEOUT_CHECK_MS: '50',
        HAVEN_KEEP_ALIVE_TIMEOUT_MS: '200',
        HAVEN_IDLE_TIMEOUT_MS: '400',
      },
    });
  });
  afterAll(async () => t.stop());

  const host = () => new URL(t.server.url).host;

  it('cuts off a client that sends its headers slowly', async () => {
    const got = await trickle(
      t,
      `GET /fhir/R4/metadata HTTP/1.1\r\nHost: ${host()}\r\nX-Slow: `,
      'a',
    );
    expect(got === '' || got.startsWith('HTTP/1.1 408')).toBe(true);
  }, 30_000);

  it('cuts off a client that sends its body slowly', async () => {
    const got = await trickle(
      t,
      `POST /fhir/R4/Patient HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${t.token}\r\nContent-Type: application/fhir+json\r\nContent-Length: 100000\r\n\r\n{"resourceType":"Patient","name":[{"family":"`,
      'x',
    );
    expect(got === '' || got.startsWith('HTTP/1.1 408')).toBe(true);
    const search = (await t.request('GET', '/fhir/R4/Patient')).json() as { total: number };
    expect(search.total).toBe(0);
  }, 30_000);

  it('closes an idle kept-alive connection after its answer', async () => {
    const got = await trickle(
      t,
      `GET /fhir/R4/metadata HTTP/1.1\r\nHost: ${host()}\r\nConnection: keep-alive\r\n\r\n`,
      '',
    );
    expect(got.startsWith('HTTP/1.1 200')).toBe(true);
    expect(got).toContain('CapabilityStatement');
  }, 30_000);

  it('still serves an ordinary request', async () => {
    expect((await t.request('GET', '/fhir/R4/metadata')).status).toBe(200);
  });
});
