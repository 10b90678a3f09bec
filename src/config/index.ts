export { resolveConfig, ConfigError } from './config.js';
export type { HavenConfig, ConfigInput, ServerTimeouts, Pkcs11Config } from './config.js';
