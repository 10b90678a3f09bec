import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TLS12_CIPHERS,
  ensureDevCertificate,
  tlsServerOptions,
  type DevCertificate,
} from '../../../src/http/tls/index.js';
import { BODY, fetchOverTls, makeTempDir, startServer, type TestServer } from './support.js';

/** Clients offering only TLS 1.1; SECLEVEL=0 so that the client itself is willing to try it. */
const TLS11_CLIENT = {
  minVersion: 'TLSv1.1',
  maxVersion: 'TLSv1.1',
  ciphers: 'DEFAULT@SECLEVEL=0',
} as const;
const AEAD = /GCM|CHACHA20-POLY1305/;

describe('tlsServerOptions, against real clients', () => {
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

  /** Starts a throwaway server, runs `fn` against it, and always closes it. */
  async function withServer<T>(options: object, fn: (s: TestServer) => Promise<T>): Promise<T> {
    const other = await startServer({ cert: dev.certPem, key: dev.keyPem, ...options });
    try {
      return await fn(other);
    } finally {
      await other.close();
    }
  }

  it('exports only ECDHE + AEAD suites for TLS 1.2', () => {
    for (const suite of TLS12_CIPHERS)
      expect(suite).toMatch(/^ECDHE-(ECDSA|RSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/);
  });

  it('serves TLS 1.3 with an AEAD suite over X25519', async () => {
    const got = await fetchOverTls(server.port, dev.certPem);
    expect(got).toMatchObject({ status: 200, body: BODY, protocol: 'TLSv1.3', group: 'X25519' });
    expect(got.cipher).toMatch(/^TLS_(AES_\d+_GCM_SHA\d+|CHACHA20_POLY1305_SHA256)$/);
  });

  it('serves a TLS 1.2-only client with an ECDHE AEAD suite', async () => {
    const got = await fetchOverTls(server.port, dev.certPem, { maxVersion: 'TLSv1.2' });
    expect(got).toMatchObject({ status: 200, body: BODY, protocol: 'TLSv1.2' });
    expect(got.cipher).toMatch(/^ECDHE-/);
    expect(got.cipher).toMatch(AEAD);
  });

  it('offers only the X25519, P-256 and P-384 key-exchange groups', async () => {
    const refused = server.nextClientError();
    await expect(fetchOverTls(server.port, dev.certPem, { ecdhCurve: 'P-521' })).rejects.toThrow(
      /alert handshake failure/,
    );
    expect((await refused).code).toBe('ERR_SSL_NO_SUITABLE_KEY_SHARE');
    for (const [ecdhCurve, group] of [
      ['P-256', 'prime256v1'],
      ['P-384', 'secp384r1'],
    ]) {
      expect((await fetchOverTls(server.port, dev.certPem, { ecdhCurve })).group).toBe(group);
    }
  });

  it('picks its own preference over the client order (honorCipherOrder)', async () => {
    const ciphers = 'ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256';
    const got = await fetchOverTls(server.port, dev.certPem, { maxVersion: 'TLSv1.2', ciphers });
    expect(got.cipher).toBe('ECDHE-ECDSA-AES128-GCM-SHA256');
  });

  it('refuses TLS 1.1 by its minVersion, not by OpenSSL security level', async () => {
    const calls = server.handlerCalls();
    const refused = server.nextClientError();
    await expect(fetchOverTls(server.port, dev.certPem, TLS11_CLIENT)).rejects.toThrow(
      /alert protocol version/,
    );
    // The server rejected the ClientHello's version; a security-level refusal would instead
    // surface as ERR_SSL_NO_SUITABLE_SIGNATURE_ALGORITHM (SHA-1 handshake signatures).
    expect((await refused).code).toBe('ERR_SSL_UNSUPPORTED_PROTOCOL');
    expect(server.handlerCalls()).toBe(calls);

    // Same client code with TLS 1.2 succeeds, so the refusal above is about the version.
    const ok = await fetchOverTls(server.port, dev.certPem, {
      ...TLS11_CLIENT,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
    });
    expect(ok).toMatchObject({ body: BODY, protocol: 'TLSv1.2' });

    // The client really can speak TLS 1.1 to a server that allows it ...
    const legacy = await withServer({ minVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }, (s) =>
      fetchOverTls(s.port, dev.certPem, TLS11_CLIENT),
    );
    expect(legacy).toMatchObject({ body: BODY, protocol: 'TLSv1.1' });

    // ... and our options refuse it even when the security level would let it through.
    await withServer({ ...tlsServerOptions(dev), ciphers: 'DEFAULT@SECLEVEL=0' }, async (s) => {
      const reason = s.nextClientError();
      await expect(fetchOverTls(s.port, dev.certPem, TLS11_CLIENT)).rejects.toThrow();
      expect((await reason).code).toBe('ERR_SSL_UNSUPPORTED_PROTOCOL');
    });
  });

  it.each(['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA384', 'AES128-SHA'])(
    'refuses a TLS 1.2 client offering only %s',
    async (cipher) => {
      const weakClient = { maxVersion: 'TLSv1.2', ciphers: cipher } as const;
      const refused = server.nextClientError();
      await expect(fetchOverTls(server.port, dev.certPem, weakClient)).rejects.toThrow(
        /alert handshake failure/,
      );
      expect((await refused).code).toBe('ERR_SSL_NO_SHARED_CIPHER');
    },
  );

  it('those weak-cipher clients do work against a permissive server (control)', async () => {
    const got = await withServer(
      { ciphers: 'ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384' },
      async (s) => [
        await fetchOverTls(s.port, dev.certPem, {
          maxVersion: 'TLSv1.2',
          ciphers: 'ECDHE-ECDSA-AES128-SHA',
        }),
        await fetchOverTls(s.port, dev.certPem, {
          maxVersion: 'TLSv1.2',
          ciphers: 'ECDHE-ECDSA-AES256-SHA384',
        }),
      ],
    );
    expect(got.map((g) => g.cipher)).toEqual([
      'ECDHE-ECDSA-AES128-SHA',
      'ECDHE-ECDSA-AES256-SHA384',
    ]);
  });
});
