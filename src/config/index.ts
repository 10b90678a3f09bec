export type { TurnConfig, VideoConfig } from './video-config.js';
export { resolveConfig, ConfigError, TLS_VERSIONS } from './config.js';
export type {
  HavenConfig,
  ConfigInput,
  Pkcs11Config,
  RateLimitConfig,
  ServerTimeouts,
  TlsVersion,
} from './config.js';
export { DEFAULT_ALERT_SETTINGS, alertConfig } from './alert-config.js';
export type { AlertSettings, AlertConfig } from './alert-config.js';
