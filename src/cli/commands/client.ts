import type { Command } from 'commander';
import { createApiClient } from '../../auth/index.js';
import { print, withCommonOptions, withHaven, CliFailure, type CommonFlags } from '../common.js';
import { recordOperatorEvent } from '../operator-audit.js';

export function clientCommand(program: Command): void {
  const client = program
    .command('client')
    .description('manage API clients (bearer tokens for integrations)');

  withCommonOptions(client.command('add').description('create a client and print its token once'))
    .requiredOption('--name <name>', 'a label for the client')
    .requiredOption('--scopes <scopes>', 'SMART v2 scopes, e.g. "system/*.rs system/Patient.cu"')
    .action(async (flags: CommonFlags & { name: string; scopes: string }) => {
      const created = await withHaven(flags, async (haven) => {
        const c = await createApiClient(haven.clients, flags.name, flags.scopes);
        await recordOperatorEvent(haven, 'client-create', c.id);
        return c;
      });
      print(
        flags,
        { id: created.id, token: created.token },
        `Client ${created.id} created.\nToken (shown once; only its hash is stored):\n${created.token}`,
      );
    });

  withCommonOptions(client.command('list').description('list clients (never their tokens)')).action(
    async (flags: CommonFlags) => {
      const rows = await withHaven(flags, (haven) => haven.clients.list());
      print(
        flags,
        rows,
        rows.length === 0
          ? 'No clients.'
          : rows
              .map(
                (r) =>
                  `${r.id}  ${r.revokedAt ? 'revoked' : 'active '}  ${r.name}  [${r.scopes}]${r.userId ? `  app token of user ${r.userId}` : ''}`,
              )
              .join('\n'),
      );
    },
  );

  withCommonOptions(
    client
      .command('revoke')
      .description('revoke a client; its token stops working at once')
      .argument('<id>'),
  ).action(async (id: string, flags: CommonFlags) => {
    const ok = await withHaven(flags, async (haven) => {
      const revoked = await haven.clients.revoke(id);
      if (revoked) await recordOperatorEvent(haven, 'client-revoke', id);
      return revoked;
    });
    if (!ok) throw new CliFailure(`no active client with id ${id}`);
    print(flags, { id, revoked: true }, `Client ${id} revoked.`);
  });
}
