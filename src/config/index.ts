export { resolveConfig, ConfigError } from './config.js';
export type { TurnConfig, VideoConfig } from './video-config.js';
export type {
  HavenConfig,
  ConfigInput,
  Pkcs11Config,
  RateLimitConfig,
  ServerTimeouts,
} from './config.js';
