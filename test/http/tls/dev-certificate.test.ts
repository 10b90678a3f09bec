import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDevCertificate } from '../../../src/http/tls/index.js';
import { makeTempDir } from './support.js';

const DAY = 24 * 60 * 60 * 1000;
const T0 = new Date('2026-03-01T12:00:00Z');
const later = (days: number) => new Date(T0.getTime() + days * DAY);

describe('ensureDevCertificate', () => {
  let dir: string;
  let remove: () => Promise<void>;
  beforeEach(async () => ({ dir, remove } = await makeTempDir()));
  afterEach(() => remove());

  it('generates an ECDSA P-256 server certificate for localhost, 127.0.0.1 and ::1', async () => {
    const dev = await ensureDevCertificate(dir, { now: T0, hosts: ['haven.test', '10.1.2.3'] });
    expect(dev.created).toBe(true);
    const cert = new X509Certificate(dev.certPem);
    expect(cert.subjectAltName?.split(', ')).toEqual(
      expect.arrayContaining([
        'DNS:localhost',
        'IP Address:127.0.0.1',
        'DNS:haven.test',
        'IP Address:10.1.2.3',
      ]),
    );
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBe('::1');
    expect(cert.checkHost('example.com')).toBeUndefined();
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // node reports the EKU here: serverAuth
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(Date.parse(cert.validFrom)).toBe(T0.getTime());
    expect(Date.parse(cert.validTo) - Date.parse(cert.validFrom)).toBe(397 * DAY);
    expect(cert.checkPrivateKey(createPrivateKey(dev.keyPem))).toBe(true);
  });

  it('writes the key 0600 and the certificate 0644 under dir/tls', async () => {
    const dev = await ensureDevCertificate(dir, { now: T0 });
    expect(dev.certPath).toBe(`${dir}/tls/dev-cert.pem`);
    expect(dev.keyPath).toBe(`${dir}/tls/dev-key.pem`);
    expect((await stat(dev.keyPath)).mode & 0o777).toBe(0o600);
    expect((await stat(dev.certPath)).mode & 0o777).toBe(0o644);
    expect(await readFile(dev.keyPath, 'utf8')).toBe(dev.keyPem);
    expect(await readFile(dev.certPath, 'utf8')).toBe(dev.certPem);
  });

  it('reuses the same files on later runs, byte for byte', async () => {
    const first = await ensureDevCertificate(dir, { now: T0 });
    const certBytes = await readFile(first.certPath);
    const keyBytes = await readFile(first.keyPath);
    const second = await ensureDevCertificate(dir, { now: later(366) }); // 31 days left
    expect(second.created).toBe(false);
    expect(second.certPem).toBe(first.certPem);
    expect(second.keyPem).toBe(first.keyPem);
    expect(await readFile(first.certPath)).toEqual(certBytes);
    expect(await readFile(first.keyPath)).toEqual(keyBytes);
  });

  it.each([
    ['within 30 days of expiry', 368],
    ['expired', 400],
  ])('regenerates a certificate that is %s', async (_label, days) => {
    const first = await ensureDevCertificate(dir, { now: T0 });
    const renewed = await ensureDevCertificate(dir, { now: later(days) });
    expect(renewed.created).toBe(true);
    expect(renewed.certPem).not.toBe(first.certPem);
    expect(renewed.keyPem).not.toBe(first.keyPem);
    const cert = new X509Certificate(renewed.certPem);
    expect(Date.parse(cert.validFrom)).toBe(later(days).getTime());
    expect(cert.serialNumber).not.toBe(new X509Certificate(first.certPem).serialNumber);
    expect((await stat(renewed.keyPath)).mode & 0o777).toBe(0o600);
    expect(await readFile(renewed.certPath, 'utf8')).toBe(renewed.certPem);
  });

  it('regenerates when a requested host is missing, the key is exposed, or the files are corrupt', async () => {
    const first = await ensureDevCertificate(dir, { now: T0 });
    const withHost = await ensureDevCertificate(dir, { now: T0, hosts: ['haven.test'] });
    expect(withHost.created).toBe(true);
    expect(new X509Certificate(withHost.certPem).checkHost('haven.test')).toBe('haven.test');
    expect((await ensureDevCertificate(dir, { now: T0, hosts: ['haven.test'] })).created).toBe(
      false,
    );

    await chmod(first.keyPath, 0o644);
    const afterExposure = await ensureDevCertificate(dir, { now: T0 });
    expect(afterExposure.created).toBe(true);
    expect(afterExposure.keyPem).not.toBe(withHost.keyPem);
    expect((await stat(first.keyPath)).mode & 0o777).toBe(0o600);

    await writeFile(first.certPath, 'not a certificate');
    expect((await ensureDevCertificate(dir, { now: T0 })).created).toBe(true);
  });

  it('regenerates when the key on disk does not belong to the certificate', async () => {
    const first = await ensureDevCertificate(dir, { now: T0 });
    const other = await makeTempDir();
    try {
      const stranger = await ensureDevCertificate(other.dir, { now: T0 });
      await writeFile(first.keyPath, stranger.keyPem, { mode: 0o600 });
      const repaired = await ensureDevCertificate(dir, { now: T0 });
      expect(repaired.created).toBe(true);
      const cert = new X509Certificate(repaired.certPem);
      expect(cert.checkPrivateKey(createPrivateKey(repaired.keyPem))).toBe(true);
    } finally {
      await other.remove();
    }
  });
});
