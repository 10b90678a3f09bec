export { resolveConfig, ConfigError } from './config.js';
export type { HavenConfig, ConfigInput, ServerTimeouts } from './config.js';
