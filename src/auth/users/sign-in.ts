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
  const refusal = refusalBeforeHash(user);
  const candidate = refusal === undefined ? user : undefined;
  // The guess is counted (reserved) before the hash runs, so parallel guesses cannot outrun the
  // lock (issue 13). Every path runs the same reservation statement, against an id that cannot
  // exist when there is no candidate, so an unknown account costs what a wrong password does
  // (test/auth/users/timing.test.ts).
  const reserved = await ctx.reserveAttempt(candidate?.id ?? NO_SUCH_USER);
  if (!candidate?.passwordHash || !reserved) {
    await ctx.hasher.dummyVerify(password);
    await failure(ctx, user, refusal ?? 'locked');
    return { ok: false };
  }

  const result = await ctx.hasher.verify(candidate.passwordHash, password);
  if (!result.ok) {
    await ctx.attemptFailed(candidate, reserved);
    await failure(ctx, candidate, 'wrong-password');
    return { ok: false };
  }
  const at = ctx.o.clock().toISOString();
  // Without TOTP the password is the whole sign-in: it clears the count. With TOTP only this
  // guess is given back, so a stolen password does not reset the limit on guessing codes.
  if (candidate.totpConfirmedAt === null) await ctx.o.users.resetFailures(candidate.id, at);
  else await ctx.releaseAttempt(candidate.id, reserved);
  if (result.needsRehash) {
    // Lost race with a password change: the other hash stands, and this login is still valid.
    await ctx.o.users.replacePasswordHash(
      candidate.id,
      candidate.passwordHash,
      await ctx.hasher.hash(password),
      at,
    );
  }
  if (recordSuccess) {
    await recordPasswordStep(ctx, candidate.id, {
      outcome: 'success',
      rehashed: result.needsRehash,
    });
  }
  return { ok: true, user: toAccount(candidate), rehashed: result.needsRehash };
}

/** The nil UUID: user ids are random (v4) UUIDs, so no row ever has it. */
const NO_SUCH_USER = '00000000-0000-0000-0000-000000000000';

async function findByEmail(ctx: UserContext, email: string): Promise<UserRow | undefined> {
  let normalized: string;
  try {
    normalized = normalizeEmail(email);
  } catch {
    return undefined;
  }
  return ctx.o.users.findByEmailIndex(ctx.o.blindIndex.token(emailIndexTerm(normalized)));
}

function refusalBeforeHash(user: UserRow | undefined): Refusal | undefined {
  if (!user) return 'unknown-user';
  if (user.disabledAt !== null) return 'disabled';
  if (!user.passwordHash) return 'not-enrolled';
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
