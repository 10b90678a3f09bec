import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TlsConfigError,
  ensureDevCertificate,
  loadCertificate,
  type DevCertificate,
} from '../../../src/http/tls/index.js';
import { makeTempDir } from './support.js';

describe('loadCertificate', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let a: DevCertificate;
  let b: DevCertificate;
  const file = (name: string) => path.join(dir, name);

  beforeAll(async () => {
    ({ dir, remove } = await makeTempDir());
    a = await ensureDevCertificate(path.join(dir, 'a'));
    b = await ensureDevCertificate(path.join(dir, 'b'));
    await writeFile(file('garbage.pem'), 'this is not PEM at all\n');
    await writeFile(file('truncated.pem'), a.certPem.slice(0, 200));
    await writeFile(file('chain.pem'), a.certPem + b.certPem);
  });
  afterAll(() => remove());

  async function refusal(certPath: string, keyPath: string): Promise<TlsConfigError> {
    const err: unknown = await loadCertificate(certPath, keyPath).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TlsConfigError);
    const tlsErr = err as TlsConfigError;
    expect(tlsErr.message).not.toContain('\n');
    expect(tlsErr.message).not.toContain('PRIVATE KEY'); // never echo key material
    return tlsErr;
  }

  it('accepts a matching pair and returns the PEM text as read', async () => {
    const loaded = await loadCertificate(a.certPath, a.keyPath);
    expect(loaded).toEqual({
      certPem: a.certPem,
      keyPem: a.keyPem,
      certPath: a.certPath,
      keyPath: a.keyPath,
    });
  });

  it('accepts a certificate file carrying a chain after the leaf', async () => {
    const loaded = await loadCertificate(file('chain.pem'), a.keyPath);
    expect(loaded.certPem).toBe(a.certPem + b.certPem);
  });

  it('refuses a key that belongs to another certificate', async () => {
    const err = await refusal(a.certPath, b.keyPath);
    expect(err.code).toBe('TLS_KEY_MISMATCH');
    expect(err.message).toContain(b.keyPath);
  });

  it('refuses a chain whose leaf does not match the key', async () => {
    expect((await refusal(file('chain.pem'), b.keyPath)).code).toBe('TLS_KEY_MISMATCH');
  });

  it('refuses garbage and truncated certificates', async () => {
    expect((await refusal(file('garbage.pem'), a.keyPath)).code).toBe('TLS_CERT_INVALID');
    expect((await refusal(file('truncated.pem'), a.keyPath)).code).toBe('TLS_CERT_INVALID');
  });

  it('refuses a garbage key, and a certificate given as the key', async () => {
    expect((await refusal(a.certPath, file('garbage.pem'))).code).toBe('TLS_KEY_INVALID');
    expect((await refusal(a.certPath, a.certPath)).code).toBe('TLS_KEY_INVALID');
  });

  it('refuses missing files, naming which one', async () => {
    const missingCert = await refusal(file('nope-cert.pem'), a.keyPath);
    expect(missingCert.code).toBe('TLS_CERT_UNREADABLE');
    expect(missingCert.message).toContain('ENOENT');
    expect((await refusal(a.certPath, file('nope-key.pem'))).code).toBe('TLS_KEY_UNREADABLE');
  });
});
