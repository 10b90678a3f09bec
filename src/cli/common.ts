import { openHaven, type Haven } from '../app/index.js';
import { resolveConfig, type HavenConfig } from '../config/index.js';
import { createLogger } from '../logging/index.js';
import type { CommonFlags } from './output.js';

export { CliFailure, print, type CommonFlags } from './output.js';

export function configFrom(flags: CommonFlags): HavenConfig {
  return resolveConfig(flags, process.env);
}

/**
 * Opens an existing installation for a one-shot command, with logs kept to warnings so output
 * stays readable. Only `init` passes `create`: every other command refuses a directory or
 * database without a Haven installation and creates nothing there.
 */
export async function withHaven<T>(
  flags: CommonFlags,
  fn: (haven: Haven) => Promise<T>,
  opts: { create?: boolean } = {},
): Promise<T> {
  const config = configFrom(flags);
  const haven = await openHaven(config, {
    logger: createLogger('warn', undefined),
    create: opts.create === true,
  });
  try {
    return await fn(haven);
  } finally {
    await haven.close();
  }
}
