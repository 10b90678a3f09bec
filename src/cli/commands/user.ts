import os from 'node:os';
import type { Command } from 'commander';
import type { Haven } from '../../app/index.js';
import type { Actor, UserService } from '../../auth/index.js';
import { print, withCommonOptions, withHaven, CliFailure, type CommonFlags } from '../common.js';

/** The open Haven's user service (audited through its trail, revoking sessions as it goes). */
export async function userServiceFor(haven: Haven): Promise<UserService> {
  return haven.people.users;
}

const operator = (): Actor => ({ actorType: 'system', actorId: `cli:${os.userInfo().username}` });

type AddFlags = CommonFlags & {
  email: string;
  role: string[];
  patient?: string;
  practitioner?: string;
  baseUrl?: string;
};

export function userCommand(program: Command): void {
  const user = program.command('user').description('manage people: accounts, roles and MFA');

  withCommonOptions(user.command('add').description('create a user and print a one-time link'))
    .requiredOption('--email <email>', 'sign-in email address')
    .requiredOption('--role <role>', 'role (repeatable)', (v, acc: string[]) => [...acc, v], [])
    .option('--patient <id>', 'FHIR Patient id this patient user is')
    .option('--practitioner <id>', 'FHIR Practitioner id this staff user is')
    .option('--base-url <url>', 'public address for the link (default https://HOST:PORT)')
    .action(async (flags: AddFlags) => {
      const { added, link } = await withHaven(flags, async (haven) => {
        const service = await userServiceFor(haven);
        const added = await service.addUser(
          {
            email: flags.email,
            roles: flags.role,
            patientId: flags.patient,
            practitionerId: flags.practitioner,
          },
          operator(),
        );
        const base = flags.baseUrl ?? `https://${haven.config.host}:${haven.config.port}`;
        return { added, link: `${base.replace(/\/+$/, '')}/enroll#${added.enrollmentToken}` };
      });
      print(
        flags,
        { userId: added.userId, enrollmentToken: added.enrollmentToken },
        `User ${added.userId} created.\nEnrollment link (shown once, expires ${added.expiresAt}):\n${link}`,
      );
    });

  withCommonOptions(user.command('list').description('list users, roles and status')).action(
    async (flags: CommonFlags) => {
      const rows = await withHaven(flags, async (haven) => (await userServiceFor(haven)).list());
      print(
        flags,
        rows,
        rows.length === 0
          ? 'No users.'
          : rows
              .map(
                (r) =>
                  `${r.id}  ${r.status.padEnd(8)}  mfa:${r.mfaConfigured ? 'yes' : 'no '}  ${r.email}  [${r.roles.join(' ')}]`,
              )
              .join('\n'),
      );
    },
  );

  withCommonOptions(
    user
      .command('reset-password')
      .description('issue a one-hour, single-use password-reset link')
      .argument('<id>'),
  )
    .option('--base-url <url>', 'public address for the link (default https://HOST:PORT)')
    .action(async (id: string, flags: CommonFlags & { baseUrl?: string }) => {
      const issued = await withHaven(flags, async (haven) => {
        try {
          const r = await (await userServiceFor(haven)).issuePasswordReset(id, operator());
          const base = flags.baseUrl ?? `https://${haven.config.host}:${haven.config.port}`;
          return { ...r, link: `${base.replace(/\/+$/, '')}/reset#${r.resetToken}` };
        } catch (e) {
          if ((e as { code?: unknown }).code === 'user-unknown')
            throw new CliFailure(`no enrolled, active user with id ${id}`);
          throw e;
        }
      });
      print(
        flags,
        { id, resetToken: issued.resetToken, expiresAt: issued.expiresAt },
        `Password-reset link for ${id} (shown once, valid until ${issued.expiresAt}):\n${issued.link}`,
      );
    });

  withCommonOptions(
    user
      .command('roles')
      .description("replace a user's roles (ends their sessions and app tokens)")
      .argument('<id>'),
  )
    .requiredOption('--role <role>', 'role (repeatable)', (v, acc: string[]) => [...acc, v], [])
    .action(async (id: string, flags: CommonFlags & { role: string[] }) => {
      const roles = await withHaven(flags, async (haven) => {
        try {
          return await (await userServiceFor(haven)).changeRoles(id, flags.role, operator());
        } catch (e) {
          const code = (e as { code?: unknown }).code;
          if (code === 'user-unknown') throw new CliFailure(`no user with id ${id}`);
          if (code === 'user-role-invalid' || code === 'user-link-invalid')
            throw new CliFailure((e as Error).message);
          throw e;
        }
      });
      print(flags, { id, roles }, `User ${id} now has roles: ${roles.join(' ')}.`);
    });

  const admin = [
    ['disable', 'disable a user and end all their sessions', 'disable', 'disabled'],
    ['reset-mfa', "remove a user's second factors", 'resetMfa', 'MFA reset'],
    ['unlock', 'lift a lock after failed sign-ins', 'unlock', 'unlocked'],
  ] as const;
  for (const [name, description, method, done] of admin) {
    withCommonOptions(user.command(name).description(description).argument('<id>')).action(
      async (id: string, flags: CommonFlags) => {
        await withHaven(flags, async (haven) => {
          const service = await userServiceFor(haven);
          try {
            await service[method](id, operator());
          } catch (e) {
            if ((e as { code?: unknown }).code === 'user-unknown') {
              throw new CliFailure(`no user with id ${id}`);
            }
            throw e;
          }
        });
        print(flags, { id, [method]: true }, `User ${id} ${done}.`);
      },
    );
  }
}
