import crypto from 'node:crypto';
import { checkPasswordPolicy } from '../password/index.js';
import { hashEnrollmentToken } from './add-user.js';
import { SYSTEM_ACTOR, type Actor, type UserContext } from './context.js';
import { InvalidEnrollmentTokenError, PasswordPolicyError, UnknownUserError } from './errors.js';
import { passwordRoleFor } from './roles.js';

/** A reset link is short-lived: it replaces a credential rather than creating one. */
export const RESET_TTL_MS = 60 * 60_000;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Issues a single-use password-reset token for an enrolled, active person (an operator or an
 * admin hands it over out of band). Only its SHA-256 is stored.
 */
export async function issuePasswordReset(
  ctx: UserContext,
  userId: string,
  actor: Actor = SYSTEM_ACTOR,
): Promise<{ resetToken: string; expiresAt: string }> {
  const user = await ctx.o.users.findById(userId);
  if (!user || user.disabledAt !== null || user.passwordHash === null) throw new UnknownUserError();
  const now = ctx.o.clock();
  const resetToken = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + RESET_TTL_MS).toISOString();
  await ctx.o.invitations.insert({
    tokenHash: hashEnrollmentToken(resetToken),
    userId,
    purpose: 'reset',
    expiresAt,
    at: now.toISOString(),
  });
  await ctx.event({
    ...actor,
    action: 'password-reset-issued',
    outcome: 'success',
    detail: { subject: userId },
  });
  return { resetToken, expiresAt };
}

/**
 * Sets a new password from a reset token: the policy applies, the token is spent atomically,
 * failed-attempt locks are cleared and every session of the person ends (whoever had the old
 * password is signed out).
 */
export async function resetPassword(
  ctx: UserContext,
  token: string,
  password: string,
): Promise<void> {
  if (!TOKEN.test(token)) throw new InvalidEnrollmentTokenError();
  const tokenHash = hashEnrollmentToken(token);
  const invitation = await ctx.o.invitations.findUsable(tokenHash, ctx.o.clock().toISOString());
  if (!invitation || invitation.purpose !== 'reset') throw new InvalidEnrollmentTokenError();
  const user = await ctx.o.users.findById(invitation.userId);
  if (!user || user.disabledAt !== null || user.passwordHash === null)
    throw new InvalidEnrollmentTokenError();
  const policy = checkPasswordPolicy(password, {
    role: passwordRoleFor(user.roles),
    context: ctx.passwordContext(user),
  });
  if (!policy.ok) throw new PasswordPolicyError(policy.reasons);
  const hash = await ctx.hasher.hash(password);
  const at = ctx.o.clock().toISOString();
  if (!(await ctx.o.invitations.consume(tokenHash, at))) throw new InvalidEnrollmentTokenError();
  if (!(await ctx.o.users.replacePasswordHash(user.id, user.passwordHash, hash, at))) {
    throw new InvalidEnrollmentTokenError();
  }
  await ctx.o.users.resetFailures(user.id, at);
  await ctx.o.onRevokeSessions?.(user.id);
  await ctx.event({
    action: 'password-change',
    outcome: 'success',
    actorType: 'user',
    actorId: user.id,
    detail: { via: 'reset' },
  });
}
