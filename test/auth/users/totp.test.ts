import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TotpStateError } from '../../../src/auth/users/index.js';
import { ENGINES } from '../../support/engines.js';
import { wrongTotpCode } from '../../support/totp.js';
import { assertNoSecretsIn, enrolledUser, openHarness, type Harness } from './harness.js';

describe.each(ENGINES)('TOTP and recovery codes on %s', (engine) => {
  let h: Harness;
  const secrets: string[] = [];
  beforeAll(async () => void (h = await openHarness(engine)));
  afterAll(async () => {
    assertNoSecretsIn(h.events, secrets);
    await h.close();
  });

  /** An enrolled user with confirmed TOTP; returns the secret and recovery codes. */
  const withTotp = async () => {
    const { userId, email } = await enrolledUser(h);
    const enrollment = await h.service.beginTotpEnrollment(userId);
    secrets.push(email, enrollment.secret);
    const confirmation = await h.service.confirmTotp(userId, h.totpCode(enrollment.secret));
    if (!confirmation.ok) throw new Error('confirmation failed');
    secrets.push(...confirmation.recoveryCodes);
    return { userId, email, secret: enrollment.secret, codes: confirmation.recoveryCodes };
  };

  it('enrolls with a QR code, activating only after a correct code', async () => {
    const { userId } = await enrolledUser(h);
    const e = await h.service.beginTotpEnrollment(userId);
    expect(e.otpauthUri).toMatch(/^otpauth:\/\/totp\/Haven:.+secret=/);
    expect(e.qrSvg).toMatch(/^<svg/);
    expect(await h.service.confirmTotp(userId, wrongTotpCode(e.secret, h.now()))).toEqual({
      ok: false,
    });
    expect((await h.service.list()).find((u) => u.id === userId)?.mfaConfigured).toBe(false);
    await expect(h.service.verifyTotp(userId, h.totpCode(e.secret))).rejects.toBeInstanceOf(
      TotpStateError,
    );
    const ok = await h.service.confirmTotp(userId, h.totpCode(e.secret));
    expect(ok.ok && ok.recoveryCodes).toHaveLength(10);
    expect((await h.service.list()).find((u) => u.id === userId)?.mfaConfigured).toBe(true);
    await expect(h.service.beginTotpEnrollment(userId)).rejects.toBeInstanceOf(TotpStateError);
  });

  it('refuses a replayed code, including the one used to confirm', async () => {
    const { userId, secret } = await withTotp();
    expect(await h.service.verifyTotp(userId, h.totpCode(secret))).toEqual({ ok: false });
    h.advance(30_000);
    const code = h.totpCode(secret);
    expect(await h.service.verifyTotp(userId, code)).toEqual({ ok: true });
    expect(await h.service.verifyTotp(userId, code)).toEqual({ ok: false });
    h.advance(30_000);
    expect(await h.service.verifyTotp(userId, h.totpCode(secret))).toEqual({ ok: true });
  });

  it('lets two racing requests redeem one code only once', async () => {
    const { userId, secret } = await withTotp();
    h.advance(30_000);
    const code = h.totpCode(secret);
    const results = await Promise.all([1, 2, 3].map(() => h.service.verifyTotp(userId, code)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('spends each recovery code once', async () => {
    const { userId, codes } = await withTotp();
    expect(await h.service.useRecoveryCode(userId, codes[3]!)).toEqual({
      ok: true,
      remainingRecoveryCodes: 9,
    });
    expect(await h.service.useRecoveryCode(userId, codes[3]!)).toEqual({ ok: false });
    const racing = await Promise.all(
      [1, 2].map(() => h.service.useRecoveryCode(userId, codes[5]!)),
    );
    expect(racing.filter((r) => r.ok)).toHaveLength(1);
  });

  it('counts wrong codes towards the account lock', async () => {
    const { userId, secret } = await withTotp();
    for (let i = 0; i < 5; i++) await h.service.verifyTotp(userId, wrongTotpCode(secret, h.now()));
    h.advance(30_000);
    expect(await h.service.verifyTotp(userId, h.totpCode(secret))).toEqual({ ok: false });
    h.advance(60_000);
    expect(await h.service.verifyTotp(userId, h.totpCode(secret))).toEqual({ ok: true });
  });

  it('resets MFA: TOTP, recovery codes and WebAuthn credentials, and revokes sessions', async () => {
    const { userId, codes } = await withTotp();
    await h.database.db
      .insertInto('webauthn_credentials')
      .values({
        id: `cred-${userId}`,
        user_id: userId,
        public_key: Buffer.from('pk'),
        counter: 0,
        transports: null,
        created_at: h.now().toISOString(),
        last_used_at: null,
      })
      .execute();
    await h.service.resetMfa(userId);
    expect(h.revoked).toContain(userId);
    const creds = await h.database.db
      .selectFrom('webauthn_credentials')
      .selectAll()
      .where('user_id', '=', userId)
      .execute();
    expect(creds).toEqual([]);
    await expect(h.service.useRecoveryCode(userId, codes[0]!)).rejects.toBeInstanceOf(
      TotpStateError,
    );
    expect((await h.service.list()).find((u) => u.id === userId)?.mfaConfigured).toBe(false);
    await expect(h.service.beginTotpEnrollment(userId)).resolves.toBeDefined();
  });
});
