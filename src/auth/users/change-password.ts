import { checkPasswordPolicy } from '../password/index.js';
import type { UserContext } from './context.js';
import { InvalidCredentialsError, PasswordPolicyError, UserDisabledError } from './errors.js';
import { passwordRoleFor } from './roles.js';

/**
 * Replaces a password after checking the current one (a wrong one counts towards the lock),
 * then revokes every session: whoever knew the old password is signed out.
 */
export async function changePassword(
  ctx: UserContext,
  userId: string,
  current: string,
  next: string,
): Promise<void> {
  const user = await ctx.requireUser(userId);
  if (user.disabledAt !== null) throw new UserDisabledError();
  const base = { action: 'password-change', actorType: 'user', actorId: user.id } as const;
  // The guess is counted before it is checked (see UserContext.reserveAttempt).
  const reserved = user.passwordHash === null ? undefined : await ctx.reserveAttempt(user.id);
  if (user.passwordHash === null || !reserved) {
    await ctx.hasher.dummyVerify(current);
    await ctx.event({ ...base, outcome: 'failure', reason: 'not-allowed' });
    throw new InvalidCredentialsError();
  }
  if (!(await ctx.hasher.verify(user.passwordHash, current)).ok) {
    await ctx.attemptFailed(user, reserved);
    await ctx.event({ ...base, outcome: 'failure', reason: 'wrong-password' });
    throw new InvalidCredentialsError();
  }
  await ctx.releaseAttempt(user.id, reserved);
  const policy = checkPasswordPolicy(next, {
    role: passwordRoleFor(user.roles),
    context: ctx.passwordContext(user),
  });
  if (!policy.ok) throw new PasswordPolicyError(policy.reasons);

  const hash = await ctx.hasher.hash(next);
  const at = ctx.o.clock().toISOString();
  // Compare-and-set: a concurrent change or reset wins, and this one is refused.
  if (!(await ctx.o.users.replacePasswordHash(user.id, user.passwordHash, hash, at))) {
    throw new InvalidCredentialsError();
  }
  await ctx.revokeSessions(user.id);
  await ctx.event({ ...base, outcome: 'success' });
}
