/** A setting Haven cannot start with; the message names the setting, never its value. */
export class ConfigError extends Error {
  readonly code = 'config';
}
