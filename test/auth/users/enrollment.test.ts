import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DuplicateUserError,
  InvalidEnrollmentTokenError,
  InvalidLinkError,
  InvalidRoleError,
  PasswordPolicyError,
} from '../../../src/auth/users/index.js';
import { ENGINES } from '../../support/engines.js';
import {
  assertNoSecretsIn,
  freshEmail,
  openHarness,
  PATIENT_PASSWORD,
  STAFF_PASSWORD,
  type Harness,
} from './harness.js';

describe.each(ENGINES)('adding and enrolling users on %s', (engine) => {
  let h: Harness;
  const emails: string[] = [];
  const email = () => {
    const e = freshEmail();
    emails.push(e);
    return e;
  };
  beforeAll(async () => void (h = await openHarness(engine)));
  afterAll(async () => {
    assertNoSecretsIn(h.events, [...emails, STAFF_PASSWORD, PATIENT_PASSWORD]);
    await h.close();
  });

  it('adds a user with a 256-bit single-use token, then enrolls a first password', async () => {
    const added = await h.service.addUser({ email: email(), roles: ['physician', 'admin'] });
    expect(added.userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Buffer.from(added.enrollmentToken, 'base64url')).toHaveLength(32);
    expect(new Date(added.expiresAt).getTime() - h.now().getTime()).toBe(72 * 3_600_000);
    await expect(h.service.enroll(added.enrollmentToken, STAFF_PASSWORD)).resolves.toEqual({
      userId: added.userId,
    });
    const [entry] = (await h.service.list()).filter((u) => u.id === added.userId);
    expect(entry).toMatchObject({ status: 'active', roles: ['admin', 'physician'] });
    expect(h.events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['user-create', 'enroll']),
    );
  });

  it('refuses a duplicate email, however it is typed, without echoing it', async () => {
    const e = email();
    await h.service.addUser({ email: e, roles: ['nurse'] });
    const again = h.service.addUser({ email: `  ${e.toUpperCase()} `, roles: ['scheduler'] });
    await expect(again).rejects.toBeInstanceOf(DuplicateUserError);
    await again.catch((err: Error) =>
      expect(err.message.toLowerCase()).not.toContain(e.toLowerCase()),
    );
  });

  it('refuses a reused token and an expired one with the same error', async () => {
    const a = await h.service.addUser({ email: email(), roles: ['nurse'] });
    await h.service.enroll(a.enrollmentToken, STAFF_PASSWORD);
    await expect(h.service.enroll(a.enrollmentToken, STAFF_PASSWORD)).rejects.toBeInstanceOf(
      InvalidEnrollmentTokenError,
    );
    const b = await h.service.addUser({ email: email(), roles: ['nurse'] });
    h.advance(72 * 3_600_000);
    await expect(h.service.enroll(b.enrollmentToken, STAFF_PASSWORD)).rejects.toBeInstanceOf(
      InvalidEnrollmentTokenError,
    );
    await expect(h.service.enroll('x'.repeat(43), STAFF_PASSWORD)).rejects.toBeInstanceOf(
      InvalidEnrollmentTokenError,
    );
  });

  it('applies the password policy by role, leaving the token usable', async () => {
    const staff = await h.service.addUser({ email: email(), roles: ['lab_assistant'] });
    const short = h.service.enroll(staff.enrollmentToken, 'mauve-otter');
    await expect(short).rejects.toBeInstanceOf(PasswordPolicyError);
    await short.catch((e: PasswordPolicyError) => expect(e.reasons).toContain('too-short'));
    const common = h.service.enroll(staff.enrollmentToken, 'password1234');
    await expect(common).rejects.toBeInstanceOf(PasswordPolicyError);
    await common.catch((e: PasswordPolicyError) => expect(e.reasons).toContain('common'));
    await expect(h.service.enroll(staff.enrollmentToken, STAFF_PASSWORD)).resolves.toBeDefined();

    const patient = await h.service.addUser({
      email: email(),
      roles: ['patient'],
      patientId: 'p-1',
    });
    await expect(h.service.enroll(patient.enrollmentToken, PATIENT_PASSWORD)).resolves.toEqual({
      userId: patient.userId,
    });
  });

  it("refuses the person's own display name and email domain, and a decorated common password", async () => {
    const added = await h.service.addUser({
      email: 'r.vantongeren@tulipclinic.example',
      roles: ['nurse'],
      displayName: 'Rosalind Quillfeather',
    });
    for (const [password, reason] of [
      ['quillfeather garden 9', 'contextual'],
      ['tulipclinic morning tea', 'contextual'],
      ['Password123!', 'common'],
    ] as const) {
      const refused = h.service.enroll(added.enrollmentToken, password);
      await expect(refused).rejects.toBeInstanceOf(PasswordPolicyError);
      await refused.catch((e: PasswordPolicyError) => expect(e.reasons).toContain(reason));
    }
    await expect(h.service.enroll(added.enrollmentToken, STAFF_PASSWORD)).resolves.toBeDefined();
  });

  it('validates roles and record links', async () => {
    await expect(h.service.addUser({ email: email(), roles: ['root'] })).rejects.toBeInstanceOf(
      InvalidRoleError,
    );
    await expect(h.service.addUser({ email: email(), roles: [] })).rejects.toBeInstanceOf(
      InvalidRoleError,
    );
    await expect(
      h.service.addUser({ email: email(), roles: ['nurse'], patientId: 'p-2' }),
    ).rejects.toBeInstanceOf(InvalidLinkError);
    await expect(
      h.service.addUser({ email: email(), roles: ['patient'], practitionerId: 'pr-1' }),
    ).rejects.toBeInstanceOf(InvalidLinkError);
  });

  it('stores no email in clear', async () => {
    const rows = await h.database.db.selectFrom('users').selectAll().execute();
    expect(rows.length).toBeGreaterThan(3);
    const raw = rows
      .flatMap((r) => Object.values(r))
      .map((v) => (Buffer.isBuffer(v) ? v.toString('latin1') : String(v)))
      .join('|')
      .toLowerCase();
    for (const e of emails) {
      expect(raw).not.toContain(e.toLowerCase());
      expect(raw).not.toContain(e.split('@')[0]!.toLowerCase());
    }
    const list = await h.service.list();
    expect(list.map((u) => u.email)).toEqual(expect.arrayContaining([emails[0]!.toLowerCase()]));
  });
});
