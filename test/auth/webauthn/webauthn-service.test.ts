import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CredentialAlreadyRegisteredError,
  NoWebauthnCredentialsError,
  WebauthnRegistrationError,
} from '../../../src/auth/webauthn/index.js';
import { ENGINES } from '../../support/engines.js';
import { ORIGIN, openWebauthnHarness, type WebauthnHarness } from './harness.js';
import { SoftwareAuthenticator } from './software-authenticator.js';

describe.each(ENGINES)('WebAuthn ceremonies on %s', (engine) => {
  let h: WebauthnHarness;
  beforeAll(async () => void (h = await openWebauthnHarness(engine)));
  afterAll(async () => h.close());

  /** Second-factor challenge for the user, answered by `signer`. */
  const secondFactor = async (userId: string, signer: SoftwareAuthenticator) => {
    const { options } = await h.service.authenticationOptions(userId);
    return h.service.verifyAuthentication(signer.authenticate(options), { userId });
  };

  it('registers an authenticator, then accepts it as a second factor', async () => {
    const userId = await h.newUser();
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const options = await h.service.registrationOptions(userId, 'someone@example.org');
    expect(options.rp).toEqual({ id: 'haven.example', name: 'Haven' });
    expect(options.attestation).toBe('none');
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'preferred',
      userVerification: 'preferred',
    });
    expect(options.excludeCredentials).toEqual([]);
    expect(Buffer.from(options.user.id, 'base64url').toString('utf8')).toBe(userId);

    const registered = await h.service.verifyRegistration(userId, authenticator.register(options));
    expect(registered).toMatchObject({ credentialId: authenticator.id, userVerified: true });
    const [stored] = await h.repo.listForUser(userId);
    expect(stored).toMatchObject({ id: authenticator.id, userId, counter: 0, lastUsedAt: null });
    expect(stored!.transports).toEqual(['internal', 'hybrid']);
    expect(stored!.publicKey).toBeInstanceOf(Buffer);

    const again = await h.service.registrationOptions(userId, 'someone@example.org');
    expect(again.excludeCredentials).toEqual([
      { id: authenticator.id, type: 'public-key', transports: ['internal', 'hybrid'] },
    ]);

    h.advance(1000);
    const { options: auth, handle } = await h.service.authenticationOptions(userId);
    expect(handle).toBeUndefined();
    expect(auth.allowCredentials?.map((c) => c.id)).toEqual([authenticator.id]);
    expect(auth.rpId).toBe('haven.example');
    const result = await h.service.verifyAuthentication(authenticator.authenticate(auth), {
      userId,
    });
    expect(result).toEqual({
      ok: true,
      userId,
      credentialId: authenticator.id,
      userVerified: true,
    });
    expect(await h.repo.findById(authenticator.id)).toMatchObject({
      counter: 1,
      lastUsedAt: h.now().toISOString(),
    });
  });

  it('accepts a second factor without user verification (possession alone)', async () => {
    const { userId, authenticator } = await h.registeredUser();
    const { options } = await h.service.authenticationOptions(userId);
    const response = authenticator.authenticate(options, { userVerified: false });
    expect(await h.service.verifyAuthentication(response, { userId })).toMatchObject({
      ok: true,
      userVerified: false,
    });
  });

  it('signs in passwordless with a discoverable credential, requiring user verification', async () => {
    const { userId, authenticator } = await h.registeredUser();
    const { options, handle } = await h.service.authenticationOptions();
    expect(handle).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(options.allowCredentials ?? []).toEqual([]);
    expect(options.userVerification).toBe('required');
    const response = authenticator.authenticate(options);
    expect(await h.service.verifyAuthentication(response, { handle: handle! })).toEqual({
      ok: true,
      userId,
      credentialId: authenticator.id,
      userVerified: true,
    });

    const next = await h.service.authenticationOptions();
    const unverified = authenticator.authenticate(next.options, { userVerified: false });
    expect(await h.service.verifyAuthentication(unverified, { handle: next.handle! })).toEqual({
      ok: false,
      reason: 'invalid-response',
    });
  });

  it('refuses a passwordless assertion whose user handle is missing or names someone else', async () => {
    const { authenticator } = await h.registeredUser();
    const other = await h.newUser();
    const a = await h.service.authenticationOptions();
    const missing = authenticator.authenticate(a.options, { omitUserHandle: true });
    expect(await h.service.verifyAuthentication(missing, { handle: a.handle! })).toEqual({
      ok: false,
      reason: 'wrong-user',
    });
    const b = await h.service.authenticationOptions();
    const forged = authenticator.authenticate(b.options);
    forged.response.userHandle = Buffer.from(other, 'utf8').toString('base64url');
    expect(await h.service.verifyAuthentication(forged, { handle: b.handle! })).toEqual({
      ok: false,
      reason: 'wrong-user',
    });
  });

  it('refuses an assertion signed by a different key', async () => {
    const { userId, authenticator } = await h.registeredUser();
    const impostor = new SoftwareAuthenticator(ORIGIN);
    const { options } = await h.service.authenticationOptions(userId);
    const forged = impostor.authenticate(options);
    forged.id = forged.rawId = authenticator.id;
    expect(await h.service.verifyAuthentication(forged, { userId })).toEqual({
      ok: false,
      reason: 'invalid-response',
    });
  });

  it('refuses a response from the wrong origin', async () => {
    const { userId, authenticator } = await h.registeredUser();
    const { options } = await h.service.authenticationOptions(userId);
    const response = authenticator.authenticate(options, { origin: 'https://evil.example' });
    expect(await h.service.verifyAuthentication(response, { userId })).toEqual({
      ok: false,
      reason: 'invalid-response',
    });

    const newcomer = await h.newUser();
    const reg = await h.service.registrationOptions(newcomer, 'n@example.org');
    const phished = new SoftwareAuthenticator('https://haven.example.evil.test').register(reg);
    await expect(h.service.verifyRegistration(newcomer, phished)).rejects.toMatchObject({
      code: 'webauthn-registration-refused',
      reason: 'invalid-response',
    });
    expect(await h.repo.listForUser(newcomer)).toEqual([]);
  });

  it('refuses authenticator data scoped to another RP ID', async () => {
    const { userId, authenticator } = await h.registeredUser();
    const { options } = await h.service.authenticationOptions(userId);
    const response = authenticator.authenticate(options, { rpId: 'evil.example' });
    expect(await h.service.verifyAuthentication(response, { userId })).toEqual({
      ok: false,
      reason: 'invalid-response',
    });

    const newcomer = await h.newUser();
    const reg = await h.service.registrationOptions(newcomer, 'n@example.org');
    const wrongRp = new SoftwareAuthenticator(ORIGIN).register(reg, { rpId: 'example' });
    await expect(h.service.verifyRegistration(newcomer, wrongRp)).rejects.toBeInstanceOf(
      WebauthnRegistrationError,
    );
  });

  it('spends a challenge once: a replayed response and a stale challenge are refused', async () => {
    const { userId, authenticator } = await h.registeredUser();
    const { options } = await h.service.authenticationOptions(userId);
    const response = authenticator.authenticate(options);
    expect((await h.service.verifyAuthentication(response, { userId })).ok).toBe(true);
    expect(await h.service.verifyAuthentication(response, { userId })).toEqual({
      ok: false,
      reason: 'no-challenge',
    });

    // A new challenge is issued, but the assertion signs the old one.
    await h.service.authenticationOptions(userId);
    const stale = authenticator.authenticate(options);
    expect(await h.service.verifyAuthentication(stale, { userId })).toEqual({
      ok: false,
      reason: 'invalid-response',
    });

    // A failed attempt spends the challenge too, so it cannot be retried against.
    const fresh = await h.service.authenticationOptions(userId);
    const bad = authenticator.authenticate(fresh.options, { origin: 'https://evil.example' });
    expect((await h.service.verifyAuthentication(bad, { userId })).ok).toBe(false);
    const good = authenticator.authenticate(fresh.options);
    expect(await h.service.verifyAuthentication(good, { userId })).toEqual({
      ok: false,
      reason: 'no-challenge',
    });

    const registration = await h.service.registrationOptions(userId, 'x@example.org');
    const second = new SoftwareAuthenticator(ORIGIN);
    const regResponse = second.register(registration);
    await h.service.verifyRegistration(userId, regResponse);
    await expect(h.service.verifyRegistration(userId, regResponse)).rejects.toMatchObject({
      reason: 'no-challenge',
    });
  });

  it('lets a challenge expire after five minutes', async () => {
    const { userId, authenticator } = await h.registeredUser();
    const { options } = await h.service.authenticationOptions(userId);
    h.advance(5 * 60_000);
    expect(
      await h.service.verifyAuthentication(authenticator.authenticate(options), { userId }),
    ).toEqual({ ok: false, reason: 'no-challenge' });
  });

  it("refuses a challenge issued to another user, and another user's credential", async () => {
    const alice = await h.registeredUser();
    const bob = await h.registeredUser();
    const { options } = await h.service.authenticationOptions(alice.userId);
    // Bob answers Alice's challenge with his own authenticator.
    const bobs = bob.authenticator.authenticate(options);
    expect(await h.service.verifyAuthentication(bobs, { userId: alice.userId })).toEqual({
      ok: false,
      reason: 'wrong-user',
    });
    const again = await h.service.authenticationOptions(alice.userId);
    expect(
      await h.service.verifyAuthentication(bob.authenticator.authenticate(again.options), {
        userId: bob.userId,
      }),
    ).toEqual({ ok: false, reason: 'no-challenge' });
    // A second-factor challenge cannot be redeemed as a passwordless one, nor the reverse.
    const pw = await h.service.authenticationOptions();
    expect(
      await h.service.verifyAuthentication(alice.authenticator.authenticate(pw.options), {
        userId: alice.userId,
      }),
    ).toMatchObject({ ok: false });
    // A registration challenge for Bob does not register a credential for Alice.
    const reg = await h.service.registrationOptions(bob.userId, 'b@example.org');
    await expect(
      h.service.verifyRegistration(alice.userId, new SoftwareAuthenticator(ORIGIN).register(reg)),
    ).rejects.toMatchObject({ reason: 'no-challenge' });
  });

  it('refuses a cloned authenticator whose counter does not increase', async () => {
    const { userId, authenticator } = await h.registeredUser({ signCount: 10 });
    const clone = authenticator.clone();
    expect((await secondFactor(userId, authenticator)).ok).toBe(true); // counter 11
    expect(await secondFactor(userId, clone)).toEqual({
      ok: false,
      reason: 'counter-not-increased',
    }); // clone also says 11
    expect((await secondFactor(userId, authenticator)).ok).toBe(true); // 12
    expect((await h.repo.findById(authenticator.id))!.counter).toBe(12);
  });

  it('accepts an authenticator that always reports a zero counter', async () => {
    const { userId, authenticator } = await h.registeredUser({ counterStep: 0 });
    expect((await secondFactor(userId, authenticator)).ok).toBe(true);
    expect((await secondFactor(userId, authenticator)).ok).toBe(true);
    expect((await h.repo.findById(authenticator.id))!.counter).toBe(0);
  });

  it('refuses a counter that falls back to zero', async () => {
    const { userId, authenticator } = await h.registeredUser({ signCount: 5 });
    const zeroed = authenticator.clone({ signCount: 0, counterStep: 0 });
    expect(await secondFactor(userId, zeroed)).toEqual({
      ok: false,
      reason: 'counter-not-increased',
    });
  });

  it('refuses to bind one credential to a second account', async () => {
    const { authenticator } = await h.registeredUser();
    const other = await h.newUser();
    const reg = await h.service.registrationOptions(other, 'o@example.org');
    await expect(
      h.service.verifyRegistration(other, authenticator.register(reg)),
    ).rejects.toBeInstanceOf(CredentialAlreadyRegisteredError);
    expect(await h.repo.listForUser(other)).toEqual([]);
  });

  it('forgets every credential on an MFA reset, so they no longer authenticate', async () => {
    const { userId, authenticator } = await h.registeredUser();
    const { options } = await h.service.authenticationOptions(userId);
    const pw = await h.service.authenticationOptions();
    expect(await h.users.resetMfa(userId, h.now().toISOString())).toBe(true);
    expect(await h.users.countWebauthn(userId)).toBe(0);
    expect(
      await h.service.verifyAuthentication(authenticator.authenticate(options), { userId }),
    ).toEqual({ ok: false, reason: 'unknown-credential' });
    expect(
      await h.service.verifyAuthentication(authenticator.authenticate(pw.options), {
        handle: pw.handle!,
      }),
    ).toEqual({ ok: false, reason: 'unknown-credential' });
    await expect(h.service.authenticationOptions(userId)).rejects.toBeInstanceOf(
      NoWebauthnCredentialsError,
    );
  });

  it('lists and removes a user’s credentials, only their own', async () => {
    const alice = await h.registeredUser();
    const bob = await h.registeredUser();
    const [listed] = await h.service.listCredentials(alice.userId);
    expect(Object.keys(listed!).sort()).toEqual(['createdAt', 'id', 'lastUsedAt', 'transports']);
    expect(await h.service.removeCredential(bob.userId, alice.authenticator.id)).toBe(false);
    expect(await h.service.removeCredential(alice.userId, alice.authenticator.id)).toBe(true);
    expect(await h.service.listCredentials(alice.userId)).toEqual([]);
  });

  it('refuses malformed responses without throwing', async () => {
    const { userId } = await h.registeredUser();
    for (const junk of [{}, { id: 42 }, { id: 'x'.repeat(5000) }, { id: 'nope', response: {} }]) {
      await h.service.authenticationOptions(userId);
      const r = await h.service.verifyAuthentication(junk as never, { userId });
      expect(r.ok).toBe(false);
    }
  });

  it('keeps user ids and addresses out of error messages', async () => {
    const userId = await h.newUser();
    const email = 'private.person@example.org';
    const errors: Error[] = [];
    await h.service
      .verifyRegistration(userId, {} as never)
      .catch((e: Error) => void errors.push(e));
    const reg = await h.service.registrationOptions(userId, email);
    await h.service
      .verifyRegistration(userId, new SoftwareAuthenticator('https://x.test').register(reg))
      .catch((e: Error) => void errors.push(e));
    await h.service.authenticationOptions(userId).catch((e: Error) => void errors.push(e));
    expect(errors).toHaveLength(3);
    for (const e of errors) {
      expect(e).toHaveProperty('code');
      expect(`${e.message} ${e.stack}`).not.toContain(userId);
      expect(`${e.message} ${e.stack}`).not.toContain(email);
      expect(e.message).not.toContain(reg.challenge);
    }
  });
});
