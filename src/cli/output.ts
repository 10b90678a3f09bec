import type { Command } from 'commander';
import type { ConfigInput } from '../config/index.js';

/*
 * What every command shares and that costs nothing to load: `haven --help` and `--version` import
 * this file and commander only (see program.ts); the server stack loads in a command's action.
 */

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

export function print(flags: { json?: boolean }, json: unknown, text: string): void {
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
