import { generateRecoveryCodes } from '../recovery-codes/index.js';
import {
  generateTotpSecret,
  totpQrSvg,
  totpUri,
  verifyTotp as verifyTotpCode,
} from '../totp/index.js';
import type { UserContext } from './context.js';
import { TotpStateError } from './errors.js';

export interface TotpEnrollment {
  /** Base32 secret, for typing into an app; shown during enrollment only. */
  secret: string;
  otpauthUri: string;
  /** The URI as an SVG QR code. Contains the secret: serve with Cache-Control: no-store. */
  qrSvg: string;
}

export type TotpConfirmation = { ok: true; recoveryCodes: string[] } | { ok: false };

export const RECOVERY_CODE_COUNT = 10;

/**
 * Starts (or restarts) TOTP enrollment with a new secret, stored sealed and inactive until
 * `confirmTotp`. Refused while a confirmed TOTP exists: replacing it is an MFA reset.
 */
export async function beginTotpEnrollment(
  ctx: UserContext,
  userId: string,
): Promise<TotpEnrollment> {
  const user = await ctx.requireActiveUser(userId);
  if (user.totpConfirmedAt !== null)
    throw new TotpStateError('TOTP is already active; reset MFA first');
  const secret = generateTotpSecret();
  const email = ctx.open(user.id, 'email', user.emailSealed);
  const account = email.includes(':') ? user.id : email;
  const otpauthUri = totpUri({ secret, account, issuer: ctx.o.totpIssuer ?? 'Haven' });
  const sealed = ctx.seal(user.id, 'totp', secret);
  if (!(await ctx.o.users.beginTotp(user.id, sealed, ctx.o.clock().toISOString()))) {
    throw new TotpStateError('TOTP is already active; reset MFA first');
  }
  return { secret, otpauthUri, qrSvg: await totpQrSvg(otpauthUri) };
}

/**
 * Activates the pending secret once the person proves their app produces its codes, and
 * returns ten recovery codes (shown once; only their hashes are stored).
 */
export async function confirmTotp(
  ctx: UserContext,
  userId: string,
  code: string,
): Promise<TotpConfirmation> {
  const user = await ctx.requireActiveUser(userId);
  if (user.totpConfirmedAt !== null || user.totpSecretSealed === null) {
    throw new TotpStateError('no TOTP enrollment is pending');
  }
  const reserved = await ctx.reserveAttempt(user.id);
  if (!reserved) return { ok: false };
  const secret = ctx.open(user.id, 'totp', user.totpSecretSealed);
  const now = ctx.o.clock();
  const result = verifyTotpCode(secret, code, { now });
  const base = { action: 'mfa-enroll', actorType: 'user', actorId: user.id } as const;
  if (!result.ok) {
    await ctx.attemptFailed(user, reserved);
    await ctx.event({ ...base, outcome: 'failure', detail: { factor: 'totp' } });
    return { ok: false };
  }
  await ctx.releaseAttempt(user.id, reserved);
  const { codes, hashes } = generateRecoveryCodes(RECOVERY_CODE_COUNT);
  const confirmed = await ctx.o.users.confirmTotp(
    user.id,
    user.totpSecretSealed,
    result.step,
    JSON.stringify(hashes),
    now.toISOString(),
  );
  // Another request confirmed first, or enrollment restarted with a new secret meanwhile.
  if (!confirmed) throw new TotpStateError('the TOTP enrollment changed; start again');
  await ctx.event({ ...base, outcome: 'success', detail: { factor: 'totp' } });
  return { ok: true, recoveryCodes: codes };
}
