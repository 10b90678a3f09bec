import type { Command } from 'commander';
import { withCommonOptions, type CommonFlags } from '../output.js';
import type { AddUserFlags, LinkFlags, RolesFlags, UserAdminAction } from '../commands/user.js';

const repeatable = (v: string, acc: string[]) => [...acc, v];

/** `haven user …`: declared here; each action loads its implementation when it runs. */
export function userTree(program: Command): void {
  const user = program.command('user').description('manage people: accounts, roles and MFA');

  withCommonOptions(user.command('add').description('create a user and print a one-time link'))
    .requiredOption('--email <email>', 'sign-in email address')
    .requiredOption('--role <role>', 'role (repeatable)', repeatable, [])
    .option('--patient <id>', 'FHIR Patient id this patient user is')
    .option('--practitioner <id>', 'FHIR Practitioner id this staff user is')
    .option('--base-url <url>', 'public address for the link (default https://HOST:PORT)')
    .action(async (flags: AddUserFlags) => (await import('../commands/user.js')).userAdd(flags));

  withCommonOptions(user.command('list').description('list users, roles and status')).action(
    async (flags: CommonFlags) => (await import('../commands/user.js')).userList(flags),
  );

  withCommonOptions(
    user
      .command('reset-password')
      .description('issue a one-hour, single-use password-reset link')
      .argument('<id>'),
  )
    .option('--base-url <url>', 'public address for the link (default https://HOST:PORT)')
    .action(async (id: string, flags: LinkFlags) =>
      (await import('../commands/user.js')).userResetPassword(id, flags),
    );

  withCommonOptions(
    user
      .command('roles')
      .description("replace a user's roles (ends their sessions and app tokens)")
      .argument('<id>'),
  )
    .requiredOption('--role <role>', 'role (repeatable)', repeatable, [])
    .action(async (id: string, flags: RolesFlags) =>
      (await import('../commands/user.js')).userRoles(id, flags),
    );

  const admin: [string, string, UserAdminAction][] = [
    ['disable', 'disable a user and end all their sessions', 'disable'],
    ['reset-mfa', "remove a user's second factors", 'resetMfa'],
    ['unlock', 'lift a lock after failed sign-ins', 'unlock'],
  ];
  for (const [name, description, action] of admin) {
    withCommonOptions(user.command(name).description(description).argument('<id>')).action(
      async (id: string, flags: CommonFlags) =>
        (await import('../commands/user.js')).userAdmin(action, id, flags),
    );
  }
}
