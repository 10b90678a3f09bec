export { resolveConfig, ConfigError } from './config.js';
export type { HavenConfig, ConfigInput } from './config.js';
