import type { UserRow } from '../../store/index.js';
import { consumeRecoveryCode } from '../recovery-codes/index.js';
import { verifyTotp as verifyTotpCode } from '../totp/index.js';
import type { AttemptReservation, UserContext, UserEventAction } from './context.js';
import { TotpStateError } from './errors.js';

export type SecondFactorResult = { ok: true; remainingRecoveryCodes?: number } | { ok: false };

/**
 * Verifies a TOTP code. The accepted step is recorded by a compare-and-set, so a code (or an
 * earlier one) is refused once used, even by two racing requests (RFC 6238 §5.2). Failures
 * count towards the account lock, which limits guessing of 6-digit codes; each guess is counted
 * before it is checked, so parallel guesses cannot outrun the lock.
 */
export async function verifyTotp(
  ctx: UserContext,
  userId: string,
  code: string,
): Promise<SecondFactorResult> {
  const user = await activeWithTotp(ctx, userId);
  // Counted before it is checked: parallel guesses cannot outrun the lock (issue 13).
  const reserved = await ctx.reserveAttempt(user.id);
  if (!reserved) return refuse(ctx, user, 'login-totp', 'locked');
  const secret = ctx.open(user.id, 'totp', user.totpSecretSealed!);
  const now = ctx.o.clock();
  const result = verifyTotpCode(secret, code, {
    now,
    ...(user.totpLastStep === null ? {} : { lastUsedStep: user.totpLastStep }),
  });
  const accepted =
    result.ok && (await ctx.o.users.advanceTotpStep(user.id, result.step, now.toISOString()));
  if (!accepted) return failed(ctx, user, reserved, 'login-totp', 'wrong-or-replayed');
  return succeed(ctx, user, 'login-totp', {});
}

/** Spends one recovery code; the shortened list replaces the old one by compare-and-set. */
export async function useRecoveryCode(
  ctx: UserContext,
  userId: string,
  code: string,
): Promise<SecondFactorResult> {
  const user = await activeWithTotp(ctx, userId);
  const reserved = await ctx.reserveAttempt(user.id);
  if (!reserved) return refuse(ctx, user, 'login-recovery-code', 'locked');
  const stored = user.recoveryHashes ?? '[]';
  const result = consumeRecoveryCode(code, JSON.parse(stored) as string[]);
  const spent =
    result.ok &&
    (await ctx.o.users.replaceRecoveryHashes(
      user.id,
      stored,
      JSON.stringify(result.remaining),
      ctx.o.clock().toISOString(),
    ));
  if (!spent || !result.ok) {
    return failed(ctx, user, reserved, 'login-recovery-code', 'wrong-or-used');
  }
  return succeed(ctx, user, 'login-recovery-code', { remaining: result.remaining.length });
}

async function activeWithTotp(ctx: UserContext, userId: string): Promise<UserRow> {
  const user = await ctx.requireActiveUser(userId);
  if (user.totpConfirmedAt === null || user.totpSecretSealed === null) {
    throw new TotpStateError('the user has no active TOTP');
  }
  return user;
}

/**
 * For a second factor checked outside this module (a passkey assertion): counts the attempt
 * before it is verified. Undefined when the account is locked; the caller must then refuse
 * without verifying. Report the outcome with `externalFactorFailed` / `externalFactorSucceeded`.
 */
export function reserveExternalFactor(
  ctx: UserContext,
  userId: string,
): Promise<AttemptReservation | undefined> {
  return ctx.reserveAttempt(userId);
}

export async function externalFactorFailed(
  ctx: UserContext,
  userId: string,
  reserved: AttemptReservation,
): Promise<void> {
  const user = await ctx.o.users.findById(userId);
  if (user) await ctx.attemptFailed(user, reserved);
}

/** A second factor passed: the sign-in is complete, so the count is cleared. */
export async function externalFactorSucceeded(ctx: UserContext, userId: string): Promise<void> {
  await ctx.o.users.resetFailures(userId, ctx.o.clock().toISOString());
}

async function failed(
  ctx: UserContext,
  user: UserRow,
  reserved: AttemptReservation,
  action: UserEventAction,
  reason: string,
): Promise<SecondFactorResult> {
  await ctx.attemptFailed(user, reserved);
  return refuse(ctx, user, action, reason);
}

async function refuse(
  ctx: UserContext,
  user: UserRow,
  action: UserEventAction,
  reason: string,
): Promise<SecondFactorResult> {
  await ctx.event({ action, outcome: 'failure', actorType: 'user', actorId: user.id, reason });
  return { ok: false };
}

async function succeed(
  ctx: UserContext,
  user: UserRow,
  action: UserEventAction,
  extra: { remaining?: number },
): Promise<SecondFactorResult> {
  // The row read before the reservation is stale: clear unconditionally.
  await ctx.o.users.resetFailures(user.id, ctx.o.clock().toISOString());
  await ctx.event({
    action,
    outcome: 'success',
    actorType: 'user',
    actorId: user.id,
    ...(extra.remaining === undefined ? {} : { detail: { remaining: extra.remaining } }),
  });
  return extra.remaining === undefined
    ? { ok: true }
    : { ok: true, remainingRecoveryCodes: extra.remaining };
}
