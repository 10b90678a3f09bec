import {
  openAuditCore,
  openHaven,
  openPeopleCore,
  type AuditCore,
  type Haven,
  type OpenOptions,
  type PeopleCore,
} from '../app/index.js';
import { resolveConfig, type HavenConfig } from '../config/index.js';
import { createLogger, type Logger } from '../logging/index.js';
import type { CommonFlags } from './output.js';

export { CliFailure, print, type CommonFlags } from './output.js';

export function configFrom(flags: CommonFlags): HavenConfig {
  return resolveConfig(flags, process.env);
}

type Opener<H> = (config: HavenConfig, opts: OpenOptions) => Promise<H>;

/**
 * Opens an existing installation for a one-shot command, with logs kept to warnings so output
 * stays readable, runs `fn` and closes it. Only `init` passes `create`: every other command
 * refuses a directory or database without a Haven installation and creates nothing there.
 */
async function withOpened<H extends { close(): Promise<void> }, T>(
  open: Opener<H>,
  flags: CommonFlags,
  fn: (opened: H) => Promise<T>,
  opts: { create?: boolean; logger?: Logger },
): Promise<T> {
  const opened = await open(configFrom(flags), {
    logger: opts.logger ?? createLogger('warn', undefined),
    create: opts.create === true,
  });
  try {
    return await fn(opened);
  } finally {
    await opened.close();
  }
}

/** The whole Haven (only `init`, which creates every part of an installation). */
export function withHaven<T>(
  flags: CommonFlags,
  fn: (haven: Haven) => Promise<T>,
  opts: { create?: boolean; logger?: Logger } = {},
): Promise<T> {
  return withOpened(openHaven, flags, fn, opts);
}

/** Store, keyring and audit trail only: the `audit` commands. */
export function withAuditCore<T>(flags: CommonFlags, fn: (core: AuditCore) => Promise<T>) {
  return withOpened(openAuditCore, flags, fn, {});
}

/** The audit core plus people and API clients: the `user` and `client` commands. */
export function withPeople<T>(flags: CommonFlags, fn: (core: PeopleCore) => Promise<T>) {
  return withOpened(openPeopleCore, flags, fn, {});
}
