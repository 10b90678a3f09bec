import type { UserRow } from '../../store/index.js';
import { consumeRecoveryCode } from '../recovery-codes/index.js';
import { verifyTotp as verifyTotpCode } from '../totp/index.js';
import type { UserContext, UserEventAction } from './context.js';
import { TotpStateError } from './errors.js';

export type SecondFactorResult = { ok: true; remainingRecoveryCodes?: number } | { ok: false };

/**
 * Verifies a TOTP code. The accepted step is recorded by a compare-and-set, so a code (or an
 * earlier one) is refused once used, even by two racing requests (RFC 6238 §5.2). Failures
 * count towards the account lock, which limits guessing of 6-digit codes.
 */
export async function verifyTotp(
  ctx: UserContext,
  userId: string,
  code: string,
): Promise<SecondFactorResult> {
  const user = await activeWithTotp(ctx, userId);
  if (ctx.locked(user)) return refuse(ctx, user, 'login-totp', 'locked', false);
  const secret = ctx.open(user.id, 'totp', user.totpSecretSealed!);
  const now = ctx.o.clock();
  const result = verifyTotpCode(secret, code, {
    now,
    ...(user.totpLastStep === null ? {} : { lastUsedStep: user.totpLastStep }),
  });
  const accepted =
    result.ok && (await ctx.o.users.advanceTotpStep(user.id, result.step, now.toISOString()));
  if (!accepted) return refuse(ctx, user, 'login-totp', 'wrong-or-replayed', true);
  return succeed(ctx, user, 'login-totp', {});
}

/** Spends one recovery code; the shortened list replaces the old one by compare-and-set. */
export async function useRecoveryCode(
  ctx: UserContext,
  userId: string,
  code: string,
): Promise<SecondFactorResult> {
  const user = await activeWithTotp(ctx, userId);
  if (ctx.locked(user)) return refuse(ctx, user, 'login-recovery-code', 'locked', false);
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
  if (!spent || !result.ok) return refuse(ctx, user, 'login-recovery-code', 'wrong-or-used', true);
  return succeed(ctx, user, 'login-recovery-code', { remaining: result.remaining.length });
}

async function activeWithTotp(ctx: UserContext, userId: string): Promise<UserRow> {
  const user = await ctx.requireActiveUser(userId);
  if (user.totpConfirmedAt === null || user.totpSecretSealed === null) {
    throw new TotpStateError('the user has no active TOTP');
  }
  return user;
}

async function refuse(
  ctx: UserContext,
  user: UserRow,
  action: UserEventAction,
  reason: string,
  count: boolean,
): Promise<SecondFactorResult> {
  if (count) await ctx.countFailure(user);
  await ctx.event({ action, outcome: 'failure', actorType: 'user', actorId: user.id, reason });
  return { ok: false };
}

async function succeed(
  ctx: UserContext,
  user: UserRow,
  action: UserEventAction,
  extra: { remaining?: number },
): Promise<SecondFactorResult> {
  if (user.failedAttempts > 0 || user.lockedUntil !== null) {
    await ctx.o.users.resetFailures(user.id, ctx.o.clock().toISOString());
  }
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
