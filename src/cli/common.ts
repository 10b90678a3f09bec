import type { Command } from 'commander';
import { openHaven, type Haven } from '../app/index.js';
import { resolveConfig, type ConfigInput, type HavenConfig } from '../config/index.js';
import { createLogger } from '../logging/index.js';

export interface CommonFlags extends ConfigInput {
  json?: boolean;
}

/** Options every command takes: where the data is, and machine-readable output. */
export function withCommonOptions(cmd: Command): Command {
  return cmd
    .option('--data <dir>', 'data directory (default ./haven-data, or HAVEN_DATA_DIR)')
    .option('--database-url <url>', 'postgres://… to use PostgreSQL (or DATABASE_URL)')
    .option('--keyring <file>', 'local keyring file (default DATA/keyring.json, or HAVEN_KEYRING)')
    .option('--json', 'print machine-readable JSON');
}

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

export function print(flags: CommonFlags, json: unknown, text: string): void {
  process.stdout.write(flags.json ? `${JSON.stringify(json)}\n` : `${text}\n`);
}

/** A failure the operator can act on: one line, no stack, a meaningful exit code. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
