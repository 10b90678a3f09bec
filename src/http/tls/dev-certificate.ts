import { KeyObject, X509Certificate, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';

export interface DevCertificate {
  certPem: string;
  keyPem: string;
  certPath: string;
  keyPath: string;
  /** True when this call generated (or regenerated) the pair, false when it reused the files. */
  created: boolean;
}

export interface DevCertificateOptions {
  /** Extra DNS names or IP addresses, on top of localhost, 127.0.0.1 and ::1. */
  hosts?: string[];
  /** Injected clock for the validity window and the renewal decision. */
  now?: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** CA/Browser Forum ceiling for a leaf's validity; Apple platforms reject anything longer. */
const VALIDITY_DAYS = 397;
const RENEW_WITHIN_DAYS = 30;
const DEFAULT_HOSTS = ['localhost', '127.0.0.1', '::1'];
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
/**
 * @peculiar/x509 would find globalThis.crypto on Node 20 by itself (its provider looks for
 * global.crypto.subtle); passing node's WebCrypto explicitly keeps us independent of that
 * global and of anyone else calling cryptoProvider.set().
 */
const crypto = webcrypto;

/**
 * Returns the development certificate under `dir/tls/`, generating a self-signed ECDSA P-256
 * one on first use and whenever the existing pair is unusable: unparsable, key not matching,
 * not yet valid, expiring within 30 days, missing a requested host, or a key file readable by
 * others (a possibly exposed key is replaced, not just re-permissioned).
 */
export async function ensureDevCertificate(
  dir: string,
  opts: DevCertificateOptions = {},
): Promise<DevCertificate> {
  const now = opts.now ?? new Date();
  const hosts = [...new Set([...DEFAULT_HOSTS, ...(opts.hosts ?? [])])];
  const tlsDir = path.join(dir, 'tls');
  const certPath = path.join(tlsDir, 'dev-cert.pem');
  const keyPath = path.join(tlsDir, 'dev-key.pem');

  const existing = await readUsablePair(certPath, keyPath, hosts, now);
  if (existing) return { ...existing, certPath, keyPath, created: false };

  const fresh = await generate(hosts, now);
  await mkdir(tlsDir, { recursive: true, mode: 0o700 });
  // Key first: a crash between the two renames leaves a mismatched pair, which the next run
  // detects and regenerates, never a new certificate beside a stale key.
  await replaceFile(keyPath, fresh.keyPem, 0o600);
  await replaceFile(certPath, fresh.certPem, 0o644);
  return { ...fresh, certPath, keyPath, created: true };
}

async function readUsablePair(certPath: string, keyPath: string, hosts: string[], now: Date) {
  let certPem: string, keyPem: string, keyMode: number;
  try {
    [certPem, keyPem, keyMode] = await Promise.all([
      readFile(certPath, 'utf8'),
      readFile(keyPath, 'utf8'),
      stat(keyPath).then((s) => s.mode),
    ]);
  } catch {
    return undefined; // first run, or a file was removed: generate
  }
  try {
    const cert = new X509Certificate(certPem);
    const renewAt = Date.parse(cert.validTo) - RENEW_WITHIN_DAYS * DAY_MS;
    const usable =
      Date.parse(cert.validFrom) <= now.getTime() &&
      now.getTime() < renewAt &&
      hosts.every((h) => (isIP(h) ? cert.checkIP(h) : cert.checkHost(h)) !== undefined) &&
      cert.checkPrivateKey(createPrivateKey(keyPem)) &&
      (process.platform === 'win32' || (keyMode & 0o077) === 0);
    return usable ? { certPem, keyPem } : undefined;
  } catch {
    return undefined; // corrupt development material is regenerated, not repaired
  }
}

/** Loaded on first generation only: servers with operator certificates never load it. */
async function loadX509(): Promise<typeof import('@peculiar/x509')> {
  // tsyringe inside @peculiar/x509 needs the Reflect metadata API before it loads.
  await import('reflect-metadata');
  return import('@peculiar/x509');
}

async function generate(hosts: string[], now: Date): Promise<{ certPem: string; keyPem: string }> {
  const x509 = await loadX509();
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomBytes(16).toString('hex'),
      name: 'CN=localhost, O=Haven development certificate',
      notBefore: now,
      notAfter: new Date(now.getTime() + VALIDITY_DAYS * DAY_MS),
      signingAlgorithm: ALGORITHM,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(
          hosts.map((h) => ({ type: isIP(h) ? 'ip' : 'dns', value: h })),
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const keyPem = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string;
  return { certPem: cert.toString('pem') + '\n', keyPem };
}

/**
 * Writes to an exclusively created temporary file that has its final mode from the start (the
 * key is never readable by others, not even briefly), then renames it over the old file.
 */
async function replaceFile(target: string, contents: string, mode: number): Promise<void> {
  const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, contents, { flag: 'wx', mode });
    await chmod(tmp, mode); // the umask may have removed bits the certificate needs (0644)
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
