import { checkPasswordPolicy } from '../password/index.js';
import { hashEnrollmentToken } from './add-user.js';
import type { UserContext } from './context.js';
import { InvalidEnrollmentTokenError, PasswordPolicyError } from './errors.js';
import { passwordRoleFor } from './roles.js';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Sets a person's first password from their invitation. A policy refusal leaves the token
 * usable, so they can try another password; the token is spent atomically just before the
 * password is stored, so two racing requests cannot both enroll.
 */
export async function enroll(
  ctx: UserContext,
  token: string,
  password: string,
): Promise<{ userId: string }> {
  if (!TOKEN.test(token)) throw new InvalidEnrollmentTokenError();
  const tokenHash = hashEnrollmentToken(token);
  const invitation = await ctx.o.invitations.findUsable(tokenHash, ctx.o.clock().toISOString());
  if (!invitation) throw new InvalidEnrollmentTokenError();
  const user = await ctx.o.users.findById(invitation.userId);
  if (!user || user.disabledAt !== null || user.passwordHash !== null) {
    throw new InvalidEnrollmentTokenError();
  }

  const policy = checkPasswordPolicy(password, {
    role: passwordRoleFor(user.roles),
    context: ctx.passwordContext(user),
  });
  if (!policy.ok) throw new PasswordPolicyError(policy.reasons);

  const hash = await ctx.hasher.hash(password);
  const at = ctx.o.clock().toISOString();
  if (!(await ctx.o.invitations.consume(tokenHash, at))) throw new InvalidEnrollmentTokenError();
  if (!(await ctx.o.users.replacePasswordHash(user.id, null, hash, at))) {
    throw new InvalidEnrollmentTokenError();
  }
  await ctx.event({
    action: 'enroll',
    outcome: 'success',
    actorType: 'user',
    actorId: user.id,
    patientId: user.patientId ?? undefined,
    detail: { subject: user.id },
  });
  return { userId: user.id };
}
