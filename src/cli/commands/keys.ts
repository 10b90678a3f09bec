import type { Command } from 'commander';
import { withCommonOptions, type CommonFlags } from '../common.js';

export type KeysRotateFlags = CommonFlags & { batchSize?: string };

/** `haven keys …`: the work lives in ../keys-actions.ts, loaded only when a subcommand runs. */
export function keysCommand(program: Command): void {
  const keys = program
    .command('keys')
    .description('key-encryption keys: status, rotation, move to an HSM');
  withCommonOptions(
    keys.command('status').description('providers, KEK versions and how many keys each wraps'),
  ).action(async (flags: CommonFlags) => (await import('../keys-actions.js')).keysStatus(flags));
  withCommonOptions(
    keys
      .command('rotate')
      .description('new KEK version; re-wrap every key under it online; retire unused versions'),
  )
    .option('--batch-size <n>', 'keys re-wrapped per transaction', '500')
    .action(async (flags: KeysRotateFlags) =>
      (await import('../keys-actions.js')).keysRotate(flags),
    );
  withCommonOptions(
    keys
      .command('migrate-to-hsm')
      .description('re-wrap every key under the PKCS#11 token KEK; retire the local keyring KEKs'),
  )
    .option('--batch-size <n>', 'keys re-wrapped per transaction', '500')
    .action(async (flags: KeysRotateFlags) =>
      (await import('../keys-actions.js')).keysMigrateToHsm(flags),
    );
}
