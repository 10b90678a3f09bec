export { resolveConfig, ConfigError } from './config.js';
export type {
  HavenConfig,
  ConfigInput,
  Pkcs11Config,
  RateLimitConfig,
  ServerTimeouts,
} from './config.js';
export { DEFAULT_ALERT_SETTINGS, alertConfig } from './alert-config.js';
export type { AlertSettings, AlertConfig } from './alert-config.js';
