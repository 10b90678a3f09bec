import type { Command } from 'commander';
import { withCommonOptions, type CommonFlags } from '../output.js';
import type { AddSmartClientFlags } from '../commands/smart-client.js';

/** `haven smart-client …`: registered SMART apps (ADR 0035); implementations load on use. */
export function smartClientTree(program: Command): void {
  const smart = program
    .command('smart-client')
    .description('register SMART on FHIR apps (OAuth 2.0 authorization code with PKCE)');

  withCommonOptions(
    smart
      .command('add')
      .description('register an app; a confidential one gets a secret, shown once'),
  )
    .requiredOption('--name <name>', 'the name people see on the consent screen')
    .requiredOption(
      '--redirect-uri <uri...>',
      'redirect URI(s), matched exactly (https, or http on a loopback address)',
    )
    .requiredOption(
      '--scopes <scopes>',
      'what the app may ever be granted, e.g. "launch/patient openid fhirUser offline_access patient/*.rs"',
    )
    .option('--confidential', 'a server-side app that keeps a client secret')
    .option('--launch-url <url>', 'where an EHR launch from Haven opens the app')
    .action(async (flags: AddSmartClientFlags) =>
      (await import('../commands/smart-client.js')).smartClientAdd(flags),
    );

  withCommonOptions(
    smart.command('list').description('list registered apps (never secrets)'),
  ).action(async (flags: CommonFlags) =>
    (await import('../commands/smart-client.js')).smartClientList(flags),
  );

  withCommonOptions(
    smart
      .command('revoke')
      .description('revoke an app: its tokens stop working on their next request')
      .argument('<id>'),
  ).action(async (id: string, flags: CommonFlags) =>
    (await import('../commands/smart-client.js')).smartClientRevoke(id, flags),
  );
}
