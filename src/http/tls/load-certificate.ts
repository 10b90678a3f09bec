import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { TlsConfigError, type TlsConfigErrorCode } from './errors.js';

export interface LoadedCertificate {
  /** The certificate file as given: the leaf first, optionally followed by its chain. */
  certPem: string;
  keyPem: string;
  certPath: string;
  keyPath: string;
}

/**
 * Reads an operator-provided PEM certificate and private key and refuses, with a TlsConfigError,
 * anything the TLS server could not serve: unreadable files, unparsable PEM, or a key that does
 * not belong to the (leaf) certificate. Failing here gives a one-line start-up error instead of
 * an opaque OpenSSL error from inside https.createServer, or handshakes that fail later.
 */
export async function loadCertificate(
  certPath: string,
  keyPath: string,
): Promise<LoadedCertificate> {
  const certPem = await readText(certPath, 'TLS_CERT_UNREADABLE', 'certificate');
  const keyPem = await readText(keyPath, 'TLS_KEY_UNREADABLE', 'private key');

  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw new TlsConfigError('TLS_CERT_INVALID', `${certPath} is not a PEM X.509 certificate`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    // Also reached for passphrase-protected keys: Haven has no way to ask for the passphrase.
    throw new TlsConfigError('TLS_KEY_INVALID', `${keyPath} is not an unencrypted PEM private key`);
  }
  if (!cert.checkPrivateKey(key)) {
    throw new TlsConfigError(
      'TLS_KEY_MISMATCH',
      `${keyPath} is not the private key of the certificate in ${certPath}`,
    );
  }
  return { certPem, keyPem, certPath, keyPath };
}

async function readText(path: string, code: TlsConfigErrorCode, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'read failed';
    throw new TlsConfigError(code, `cannot read TLS ${what} ${path} (${reason})`);
  }
}
