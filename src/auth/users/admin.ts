import { SYSTEM_ACTOR, type Actor, type UserContext } from './context.js';
import { UnknownUserError } from './errors.js';
import { isLocked } from './lockout.js';
import { checkLinks, parseRoles, type UserRole } from './roles.js';

export type UserStatus = 'invited' | 'active' | 'disabled' | 'locked';

/** One line of the admin list. The only place an email is decrypted for display. */
export interface UserListEntry {
  id: string;
  email: string;
  roles: UserRole[];
  status: UserStatus;
  mfaConfigured: boolean;
  patientId: string | null;
  practitionerId: string | null;
  createdAt: string;
}

/** Disables at once: sign-in refuses from now on, and every session is revoked. */
export async function disableUser(ctx: UserContext, userId: string, actor: Actor = SYSTEM_ACTOR) {
  await ctx.requireUser(userId);
  await ctx.o.users.disable(userId, ctx.o.clock().toISOString());
  // Also when it was already disabled: revoking again is harmless and closes any gap.
  await ctx.revokeSessions(userId);
  await ctx.event({
    ...actor,
    action: 'user-disable',
    outcome: 'success',
    detail: { subject: userId },
  });
}

/**
 * Replaces a person's roles. A change of privilege ends every session and app token of the
 * person, so no credential keeps the old roles: they sign in again and get the new ones.
 */
export async function changeRoles(
  ctx: UserContext,
  userId: string,
  roles: readonly string[],
  actor: Actor = SYSTEM_ACTOR,
): Promise<UserRole[]> {
  const user = await ctx.requireUser(userId);
  const parsed = parseRoles(roles);
  checkLinks(parsed, user.patientId ?? undefined, user.practitionerId ?? undefined);
  if (!(await ctx.o.users.setRoles(userId, parsed, ctx.o.clock().toISOString())))
    throw new UnknownUserError();
  await ctx.revokeSessions(userId);
  await ctx.event({
    ...actor,
    action: 'user-roles-change',
    outcome: 'success',
    detail: { subject: userId, roles: parsed },
  });
  return parsed;
}

/** Removes TOTP, recovery codes and WebAuthn credentials; the person must enroll again. */
export async function resetMfa(ctx: UserContext, userId: string, actor: Actor = SYSTEM_ACTOR) {
  if (!(await ctx.o.users.resetMfa(userId, ctx.o.clock().toISOString()))) {
    throw new UnknownUserError();
  }
  await ctx.revokeSessions(userId);
  await ctx.event({
    ...actor,
    action: 'mfa-reset',
    outcome: 'success',
    detail: { subject: userId },
  });
}

/** Clears the failure count and lock before the lock would expire on its own. */
export async function unlockUser(ctx: UserContext, userId: string, actor: Actor = SYSTEM_ACTOR) {
  const user = await ctx.o.users.findById(userId);
  if (!user || !(await ctx.o.users.resetFailures(userId, ctx.o.clock().toISOString()))) {
    throw new UnknownUserError();
  }
  // The sign-in throttle keeps its own back-off per account; an admin's unlock lifts both.
  await ctx.o.onUnlock?.(user.emailIndex);
  await ctx.event({
    ...actor,
    action: 'user-unlock',
    outcome: 'success',
    detail: { subject: userId },
  });
}

export async function listUsers(ctx: UserContext): Promise<UserListEntry[]> {
  const now = ctx.o.clock();
  const rows = await ctx.o.users.list();
  return Promise.all(
    rows.map(async (r) => {
      const status: UserStatus =
        r.disabledAt !== null
          ? 'disabled'
          : isLocked(r.lockedUntil, now)
            ? 'locked'
            : r.passwordHash === null
              ? 'invited'
              : 'active';
      const webauthn = await ctx.o.users.countWebauthn(r.id);
      return {
        id: r.id,
        email: ctx.open(r.id, 'email', r.emailSealed),
        roles: r.roles as UserRole[],
        status,
        mfaConfigured: r.totpConfirmedAt !== null || webauthn > 0,
        patientId: r.patientId,
        practitionerId: r.practitionerId,
        createdAt: r.createdAt,
      };
    }),
  );
}
