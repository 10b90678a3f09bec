import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrityError } from '../../../src/crypto/index.js';
import { UserRepository } from '../../../src/store/index.js';
import { ENGINES } from '../../support/engines.js';
import { freshEmail, openHarness, STAFF_PASSWORD, type Harness } from './harness.js';

/**
 * A person's sealed fields (email, name, TOTP secret) are bound to their row's owner and column by
 * the AAD. Someone who can write the users table but has no key must not be able to move one
 * person's sealed TOTP secret into another's row and then sign in as them with codes they already
 * have, nor make one person's email or name show up as another's.
 */
describe.each(ENGINES)('sealed people fields on %s', (engine) => {
  let h: Harness;
  beforeAll(async () => void (h = await openHarness(engine)));
  afterAll(async () => h?.close());

  /** An enrolled person with a display name and confirmed TOTP. */
  async function person(displayName: string) {
    const email = freshEmail();
    const { userId, enrollmentToken } = await h.service.addUser({
      email,
      displayName,
      roles: ['physician'],
    });
    await h.service.enroll(enrollmentToken, STAFF_PASSWORD);
    const { secret } = await h.service.beginTotpEnrollment(userId);
    const confirmed = await h.service.confirmTotp(userId, h.totpCode(secret));
    if (!confirmed.ok) throw new Error('TOTP confirmation failed');
    return { userId, email, displayName, secret };
  }

  const row = async (id: string) => (await new UserRepository(h.database.db).findById(id))!;

  it("one person's sealed email, name and TOTP secret do not open in another's row", async () => {
    const alice = await person('Test Person Alpha');
    const bob = await person('Test Person Beta');
    const aliceRow = await row(alice.userId);
    // Control: in their own row the fields open to what was stored.
    expect(h.context.open(alice.userId, 'email', aliceRow.emailSealed)).toBe(
      alice.email.toLowerCase(),
    );
    expect(h.context.open(alice.userId, 'name', aliceRow.nameSealed!)).toBe(alice.displayName);
    expect(h.context.open(alice.userId, 'totp', aliceRow.totpSecretSealed!)).toBe(alice.secret);

    // An attacker with write access to the table (no key) copies Alice's sealed fields to Bob.
    await h.database.db
      .updateTable('users')
      .set({
        email_sealed: aliceRow.emailSealed,
        name_sealed: aliceRow.nameSealed,
        totp_secret_sealed: aliceRow.totpSecretSealed,
      })
      .where('id', '=', bob.userId)
      .execute();
    const bobRow = await row(bob.userId);
    expect(() => h.context.open(bob.userId, 'email', bobRow.emailSealed)).toThrow(IntegrityError);
    expect(() => h.context.open(bob.userId, 'name', bobRow.nameSealed!)).toThrow(IntegrityError);
    expect(() => h.context.open(bob.userId, 'totp', bobRow.totpSecretSealed!)).toThrow(
      IntegrityError,
    );

    // Alice's codes do not sign Bob in: the service fails closed instead of using the secret.
    h.advance(30_000); // a fresh time step, so a refusal cannot be the replay check's
    await expect(h.service.verifyTotp(bob.userId, h.totpCode(alice.secret))).rejects.toThrow(
      IntegrityError,
    );
    // Nor does Alice's email appear as Bob's in the people list: the list fails closed.
    await expect(h.service.list()).rejects.toThrow(IntegrityError);
    // Alice herself is untouched.
    expect(await h.service.verifyTotp(alice.userId, h.totpCode(alice.secret))).toEqual({
      ok: true,
    });
    await h.database.db.deleteFrom('users').where('id', '=', bob.userId).execute();
  });

  it('a sealed field does not open in another column of the same row', async () => {
    const carol = await person('Test Person Gamma');
    const carolRow = await row(carol.userId);
    expect(() => h.context.open(carol.userId, 'name', carolRow.emailSealed)).toThrow(
      IntegrityError,
    );
    expect(() => h.context.open(carol.userId, 'email', carolRow.totpSecretSealed!)).toThrow(
      IntegrityError,
    );
  });
});
