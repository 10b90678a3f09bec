export { resolveConfig, ConfigError } from './config.js';
export type { HavenConfig, ConfigInput, RateLimitConfig, ServerTimeouts } from './config.js';
