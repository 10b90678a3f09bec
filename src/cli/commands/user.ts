import os from 'node:os';
import type { People } from '../../app/index.js';
import type { Actor, UserService } from '../../auth/index.js';
import { print, withPeople, CliFailure, type CommonFlags } from '../common.js';

/** `haven user …` (declared in ../tree/user.ts). */

/** The open Haven's user service (audited through its trail, revoking sessions as it goes). */
export async function userServiceFor(haven: { people: People }): Promise<UserService> {
  return haven.people.users;
}

const operator = (): Actor => ({ actorType: 'system', actorId: `cli:${os.userInfo().username}` });

export type AddUserFlags = CommonFlags & {
  email: string;
  role: string[];
  patient?: string;
  practitioner?: string;
  baseUrl?: string;
};
export type LinkFlags = CommonFlags & { baseUrl?: string };
export type RolesFlags = CommonFlags & { role: string[] };
export type UserAdminAction = 'disable' | 'resetMfa' | 'unlock';

export async function userAdd(flags: AddUserFlags): Promise<void> {
  const { added, link } = await withPeople(flags, async (haven) => {
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
}

export async function userList(flags: CommonFlags): Promise<void> {
  const rows = await withPeople(flags, async (haven) => (await userServiceFor(haven)).list());
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
}

export async function userResetPassword(id: string, flags: LinkFlags): Promise<void> {
  const issued = await withPeople(flags, async (haven) => {
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
}

export async function userRoles(id: string, flags: RolesFlags): Promise<void> {
  const roles = await withPeople(flags, async (haven) => {
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
}

const DONE: Record<UserAdminAction, string> = {
  disable: 'disabled',
  resetMfa: 'MFA reset',
  unlock: 'unlocked',
};

/** disable / reset-mfa / unlock: one audited call on the user service each. */
export async function userAdmin(
  method: UserAdminAction,
  id: string,
  flags: CommonFlags,
): Promise<void> {
  await withPeople(flags, async (haven) => {
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
  print(flags, { id, [method]: true }, `User ${id} ${DONE[method]}.`);
}
