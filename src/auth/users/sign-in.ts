import type { UserRow } from '../../store/index.js';
import { toAccount, type Account } from './account.js';
import type { UserContext } from './context.js';
import { emailIndexTerm, normalizeEmail } from './email.js';

export type SignInResult = { ok: true; user: Account; rehashed: boolean } | { ok: false };

type Refusal = 'unknown-user' | 'not-enrolled' | 'disabled' | 'locked' | 'wrong-password';

/**
 * First factor. Every refusal returns the same `{ ok: false }` after one full argon2
 * verification (the real hash, or `dummyVerify`), so neither the answer nor its timing says
 * whether the account exists, is disabled or is locked. Only the audit trail records why.
 *
 * Failures count per account; for a user with TOTP, the count is cleared only by a successful
 * second factor, so a stolen password does not reset the limit on guessing codes.
 */
export async function signInWithPassword(
  ctx: UserContext,
  email: string,
  password: string,
  o: { recordSuccess?: boolean } = {},
): Promise<SignInResult> {
  return checkPassword(ctx, await findByEmail(ctx, email), password, o.recordSuccess ?? true);
}

/**
 * The password step's entry, for a caller that verified with `recordSuccess: false` and records
 * the outcome only once it knows it: a sign-in that fails after the password was right (the
 * session could not be started) is a failure, not a success.
 */
export async function recordPasswordStep(
  ctx: UserContext,
  userId: string,
  o: { outcome: 'success'; rehashed: boolean } | { outcome: 'failure'; reason: string },
): Promise<void> {
  await ctx.event({
    action: 'login-password',
    outcome: o.outcome,
    actorType: 'user',
    actorId: userId,
    ...(o.outcome === 'success' ? { detail: { rehashed: o.rehashed } } : { reason: o.reason }),
  });
}

/**
 * Re-authentication of a signed-in person (sensitive actions): the same check and the same
 * failure counting, found by user id instead of email.
 */
export async function reauthenticateWithPassword(
  ctx: UserContext,
  userId: string,
  password: string,
): Promise<SignInResult> {
  return checkPassword(ctx, await ctx.o.users.findById(userId), password);
}

async function checkPassword(
  ctx: UserContext,
  user: UserRow | undefined,
  password: string,
  recordSuccess = true,
): Promise<SignInResult> {
  const refusal = refusalBeforeHash(ctx, user);
  if (refusal !== undefined || !user?.passwordHash) {
    await ctx.hasher.dummyVerify(password);
    await failure(ctx, user, refusal ?? 'not-enrolled');
    return { ok: false };
  }

  // The attempt is counted while the hash runs, not after it: a write only on the wrong-password
  // path would make it measurably slower than the unknown-user path (found by the timing test).
  // A correct password takes the count back.
  const [result, failures] = await Promise.all([
    ctx.hasher.verify(user.passwordHash, password),
    ctx.o.users.recordFailure(user.id, ctx.o.clock().toISOString()),
  ]);
  if (!result.ok) {
    await ctx.lockIfDue(user, failures);
    await failure(ctx, user, 'wrong-password');
    return { ok: false };
  }
  const at = ctx.o.clock().toISOString();
  await ctx.o.users.undoFailure(user.id, at);
  if (result.needsRehash) {
    // Lost race with a password change: the other hash stands, and this login is still valid.
    await ctx.o.users.replacePasswordHash(
      user.id,
      user.passwordHash,
      await ctx.hasher.hash(password),
      at,
    );
  }
  if (user.totpConfirmedAt === null && (user.failedAttempts > 0 || user.lockedUntil !== null)) {
    await ctx.o.users.resetFailures(user.id, at);
  }
  if (recordSuccess) {
    await recordPasswordStep(ctx, user.id, { outcome: 'success', rehashed: result.needsRehash });
  }
  return { ok: true, user: toAccount(user), rehashed: result.needsRehash };
}

async function findByEmail(ctx: UserContext, email: string): Promise<UserRow | undefined> {
  let normalized: string;
  try {
    normalized = normalizeEmail(email);
  } catch {
    return undefined;
  }
  return ctx.o.users.findByEmailIndex(ctx.o.blindIndex.token(emailIndexTerm(normalized)));
}

function refusalBeforeHash(ctx: UserContext, user: UserRow | undefined): Refusal | undefined {
  if (!user) return 'unknown-user';
  if (user.disabledAt !== null) return 'disabled';
  if (ctx.locked(user)) return 'locked';
  return undefined;
}

async function failure(
  ctx: UserContext,
  user: UserRow | undefined,
  reason: Refusal,
): Promise<void> {
  await ctx.event({
    action: 'login-password',
    outcome: 'failure',
    actorType: user ? 'user' : 'anonymous',
    actorId: user?.id ?? null,
    reason,
  });
}
