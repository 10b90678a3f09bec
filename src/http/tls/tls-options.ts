import { constants } from 'node:crypto';
import type { ServerOptions } from 'node:https';

/**
 * TLS 1.2 suites: ECDHE only (forward secrecy) and AEAD only (GCM, ChaCha20-Poly1305), ECDSA
 * certificates first (the development certificate is P-256), RSA for operator certificates.
 * No CBC (Lucky13-style padding oracles), no static RSA key exchange (no forward secrecy), no
 * finite-field DHE (slow, and clients cannot choose the group size). TLS 1.3 suites are not
 * listed here: OpenSSL's defaults (AES-GCM and ChaCha20-Poly1305) are all AEAD and forward-secret.
 */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-RSA-CHACHA20-POLY1305',
] as const;

/** Key-exchange groups, best first: X25519, then the NIST curves clients without it support. */
export const ECDH_CURVES = 'X25519:P-256:P-384';

/**
 * Options for https.createServer / fastify's `https`. TLS 1.0 and 1.1 are refused by minVersion
 * (NIST SP 800-52 Rev. 2), whatever the OpenSSL security level happens to be.
 *
 * Session tickets are disabled (SSL_OP_NO_TICKET): Node encrypts tickets with a key it never
 * rotates, and a TLS 1.2 ticket carries the session's master secret, so one leaked ticket key
 * would decrypt every recorded session resumed with it, undoing forward secrecy. (TLS 1.3
 * clients still receive a 32-byte stateful ticket, but Node keeps no server-side session cache
 * without newSession/resumeSession listeners, so nothing resumes.) The cost is a full ECDHE
 * handshake per new connection, which keep-alive makes rare for this API.
 */
export function tlsServerOptions({
  certPem,
  keyPem,
  minVersion = 'TLSv1.2',
}: {
  certPem: string;
  keyPem: string;
  /** HAVEN_TLS_MIN_VERSION; below TLSv1.2 the compliance report fails the installation. */
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
}): ServerOptions {
  return {
    cert: certPem,
    key: keyPem,
    minVersion,
    maxVersion: 'TLSv1.3',
    ciphers: TLS12_CIPHERS.join(':'),
    honorCipherOrder: true,
    ecdhCurve: ECDH_CURVES,
    secureOptions: constants.SSL_OP_NO_TICKET,
  };
}
