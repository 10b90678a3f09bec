import crypto from 'node:crypto';
import { ENROLLMENT_TTL_MS, hashEnrollmentToken } from './add-user.js';
import type { Actor, UserContext } from './context.js';
import { NotInvitedError } from './errors.js';
import { passwordRoleFor } from './roles.js';

/**
 * Sends a person a fresh enrollment link when the first one was lost or expired. The link goes
 * to the person (email or the server's terminal), never to the admin who asked, as an approved
 * creation's does (ADR 0015); every older unused link of the account stops working first (two
 * resends racing may leave both new links live; both went to the same person). Nothing is granted: the account's roles were decided when it was created.
 */
export async function resendInvitation(
  ctx: UserContext,
  userId: string,
  actor: Actor,
): Promise<{ expiresAt: string }> {
  const user = await ctx.requireUser(userId);
  if (user.disabledAt !== null || user.passwordHash !== null) throw new NotInvitedError();
  const deliver = ctx.o.deliverEnrollment;
  // Fail closed: with nowhere to send the link but the admin, nothing is issued.
  if (!deliver) throw new Error('no enrollment delivery is configured');

  const now = ctx.o.clock();
  const at = now.toISOString();
  await ctx.o.invitations.retireUnused(userId, at);
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(
    now.getTime() + (ctx.o.enrollmentTtlMs ?? ENROLLMENT_TTL_MS),
  ).toISOString();
  await ctx.o.invitations.insert({
    tokenHash: hashEnrollmentToken(token),
    userId,
    purpose: passwordRoleFor(user.roles) === 'patient' ? 'register' : 'enroll',
    expiresAt,
    at,
  });
  await ctx.event({
    ...actor,
    action: 'invitation-resend',
    outcome: 'success',
    detail: { subject: userId },
  });
  await deliver({ userId, email: ctx.open(userId, 'email', user.emailSealed), token, expiresAt });
  return { expiresAt };
}
