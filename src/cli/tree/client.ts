import type { Command } from 'commander';
import { withCommonOptions, type CommonFlags } from '../output.js';
import type { AddClientFlags } from '../commands/client.js';

/** `haven client …`: declared here; each action loads its implementation when it runs. */
export function clientTree(program: Command): void {
  const client = program
    .command('client')
    .description('manage API clients (bearer tokens for integrations)');

  withCommonOptions(client.command('add').description('create a client and print its token once'))
    .requiredOption('--name <name>', 'a label for the client')
    .requiredOption('--scopes <scopes>', 'SMART v2 scopes, e.g. "system/*.rs system/Patient.cu"')
    .action(async (flags: AddClientFlags) =>
      (await import('../commands/client.js')).clientAdd(flags),
    );

  withCommonOptions(client.command('list').description('list clients (never their tokens)')).action(
    async (flags: CommonFlags) => (await import('../commands/client.js')).clientList(flags),
  );

  withCommonOptions(
    client
      .command('revoke')
      .description('revoke a client; its token stops working at once')
      .argument('<id>'),
  ).action(async (id: string, flags: CommonFlags) =>
    (await import('../commands/client.js')).clientRevoke(id, flags),
  );
}
