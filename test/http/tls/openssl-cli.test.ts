import { execFile, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureDevCertificate,
  tlsServerOptions,
  type DevCertificate,
} from '../../../src/http/tls/index.js';
import { makeTempDir, startServer, type TestServer } from './support.js';

const OPENSSL_PRESENT = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;

interface SClient {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `openssl s_client` asynchronously (the server lives in this process) with stdin closed. */
function sClient(port: number, caFile: string, extra: string[]): Promise<SClient> {
  const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost'];
  args.push('-CAfile', caFile, '-verify_return_error', ...extra);
  return new Promise((resolve, reject) => {
    const child = execFile('openssl', args, { timeout: 5000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ exitCode: err ? Number(err.code) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}

describe.skipIf(!OPENSSL_PRESENT)(
  'openssl s_client against tlsServerOptions (skipped: no openssl binary)',
  () => {
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

    // The client is made willing: a system openssl refuses TLS 1.0/1.1 by itself at its default
    // security level, and would then "pass" this test whatever the server allowed. With the
    // level lowered and the protocol forced, only the server's minVersion can refuse.
    const WILLING = ['-cipher', 'DEFAULT:@SECLEVEL=0'];
    const LEGACY = [
      ['-tls1_1', 'TLSv1.1'],
      ['-tls1', 'TLSv1'],
    ] as const;

    it.each(LEGACY)('refuses %s on the server side, from a willing client', async (flag) => {
      const refused = server.nextClientError();
      const run = await sClient(server.port, dev.certPath, [flag, ...WILLING]);
      expect(run.stderr, 'local openssl refused the protocol itself').not.toMatch(
        /no protocols available/,
      );
      expect(run.exitCode).not.toBe(0);
      expect(run.stdout).toContain('Cipher is (NONE)');
      expect(run.stderr).toMatch(/alert protocol version/);
      expect((await refused).code).toBe('ERR_SSL_UNSUPPORTED_PROTOCOL');
    });

    it.each(LEGACY)(
      'control: the same client completes %s with a server that allows it',
      async (flag, protocol) => {
        const legacy = await startServer({
          ...tlsServerOptions(dev),
          minVersion: 'TLSv1',
          ciphers: 'DEFAULT:@SECLEVEL=0',
        });
        try {
          const run = await sClient(legacy.port, dev.certPath, [flag, ...WILLING]);
          expect(run.exitCode, run.stderr).toBe(0);
          expect(run.stdout).toMatch(new RegExp(`Protocol\\s*:\\s*${protocol}\\n`));
        } finally {
          await legacy.close();
        }
      },
    );

    it('accepts -tls1_2 with a verified ECDHE AEAD suite', async () => {
      const run = await sClient(server.port, dev.certPath, ['-tls1_2']);
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toMatch(/Protocol\s*:\s*TLSv1\.2/);
      expect(run.stdout).toMatch(/Cipher is ECDHE-ECDSA-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)/);
      expect(run.stdout).toContain('Verify return code: 0 (ok)');
    });

    it('accepts -tls1_3', async () => {
      const run = await sClient(server.port, dev.certPath, ['-tls1_3']);
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toMatch(/New, TLSv1\.3, Cipher is TLS_/);
    });
  },
);
