export {
  ensureDevCertificate,
  type DevCertificate,
  type DevCertificateOptions,
} from './dev-certificate.js';
export { loadCertificate, type LoadedCertificate } from './load-certificate.js';
export { tlsServerOptions, TLS12_CIPHERS, ECDH_CURVES } from './tls-options.js';
export { TlsConfigError, type TlsConfigErrorCode } from './errors.js';
