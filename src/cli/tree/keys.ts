import type { Command } from 'commander';
import type { KeysRotateFlags } from '../commands/keys.js';
import { withCommonOptions, type CommonFlags } from '../output.js';

/** `haven keys …`: declared here; each action loads ../commands/keys.ts when it runs. */
export function keysTree(program: Command): void {
  const keys = program
    .command('keys')
    .description('key-encryption keys: status, rotation, move to an HSM');
  withCommonOptions(
    keys.command('status').description('providers, KEK versions and how many keys each wraps'),
  ).action(async (flags: CommonFlags) => (await import('../commands/keys.js')).keysStatus(flags));
  withCommonOptions(
    keys
      .command('rotate')
      .description('new KEK version; re-wrap every key under it online; retire unused versions'),
  )
    .option('--batch-size <n>', 'keys re-wrapped per transaction', '500')
    .option('--settle-ms <ms>', 'wait for wraps in flight elsewhere before counting', '2000')
    .action(async (flags: KeysRotateFlags) =>
      (await import('../commands/keys.js')).keysRotate(flags),
    );
  withCommonOptions(
    keys
      .command('migrate-to-hsm')
      .description('re-wrap every key under the PKCS#11 token KEK; retire the local keyring KEKs'),
  )
    .option('--batch-size <n>', 'keys re-wrapped per transaction', '500')
    .option('--settle-ms <ms>', 'wait for wraps in flight elsewhere before counting', '2000')
    .action(async (flags: KeysRotateFlags) =>
      (await import('../commands/keys.js')).keysMigrateToHsm(flags),
    );
}
