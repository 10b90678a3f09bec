import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, MINUTE, TestClock, totpNow, type TestUser } from '../http/auth/sign-in.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import {
  buildWebApp,
  cspViolations,
  expectAccessible,
  launchChromium,
  newProfile,
  screenshot,
  signInThroughPage,
  watchConsole,
} from './browser.js';

/**
 * The admin's People screen in Chromium against a real server: adding a person and granting a
 * role wait for a second admin (ADR 0015), a second admin approves, nobody approves their own
 * request, an expired re-authentication is asked for and the request retried, and a non-admin
 * gets neither the link nor the screen. SQLite only, as test/web/web-app.test.ts.
 */
describe('People screen (admin) in Chromium', () => {
  const clock = new TestClock();
  let t: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const consoles = new Map<Page, string[]>();
  /** What the server prints on its terminal: where enrollment links go without SMTP. */
  const terminal: string[] = [];

  beforeAll(async () => {
    buildWebApp();
    [t, browser] = await Promise.all([
      startTestServer('sqlite', {
        clock: clock.fn,
        terminal: { write: (text: string) => terminal.push(text) },
      }),
      launchChromium(),
    ]);
  }, 120_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await t?.stop();
  });

  const open = async (urlPath = '/') => {
    const context = await newProfile(browser);
    contexts.push(context);
    const page = await context.newPage();
    consoles.set(page, watchConsole(page));
    await page.goto(new URL(urlPath, t.server.url).href);
    return page;
  };
  const signIn = async (page: Page, user: TestUser) => {
    await signInThroughPage(page, { ...user, totpSecret: user.totpSecret! }, (s) =>
      totpNow(s, clock),
    );
    clock.advance(MINUTE); // the TOTP step is spent: the next sign-in needs a fresh one
  };
  const goToPeople = async (page: Page) => {
    await page.getByRole('link', { name: 'People' }).click();
    await page.getByRole('heading', { name: 'People', level: 1 }).waitFor();
  };

  it('adds a person and grants a role under the two-person rule; a second admin approves', async () => {
    const adminA = await createUser(t, clock, { totp: true, roles: ['admin'] });
    const adminB = await createUser(t, clock, { totp: true, roles: ['admin'] });
    const nurse = await createUser(t, clock, { totp: true, roles: ['nurse'] });
    const newEmail = `web-new-nurse-${Date.now().toString(36)}@clinic.example`;

    // Admin A: the accounts list, then a new nurse and a physician role, both held back.
    const a = await open();
    await signIn(a, adminA);
    await goToPeople(a);
    const accounts = a.getByTestId('people');
    await accounts.getByRole('cell', { name: nurse.email, exact: true }).waitFor();
    await expectAccessible(a, 'people');

    await a.getByLabel('Email address').fill(newEmail);
    await a.getByLabel('Display name').fill('New Nurse');
    await a.getByRole('checkbox', { name: 'Nurse' }).check();
    await a.getByRole('button', { name: 'Add person' }).click();
    await a.getByText(/Waiting for a second admin: the account is created/).waitFor();
    await a.getByText(/enrollment link is never shown here/).waitFor();
    expect(await accounts.getByText(newEmail).count()).toBe(0);
    const approvals = a.getByTestId('approvals');
    await approvals.getByRole('row', { name: /New account/ }).waitFor();

    await a.getByRole('button', { name: `Change roles of ${nurse.email}` }).click();
    const roleForm = a.getByRole('form', { name: `Roles of ${nurse.email}` });
    await roleForm.getByRole('checkbox', { name: 'Physician' }).check();
    await roleForm.getByRole('button', { name: 'Save roles' }).click();
    await a
      .getByTestId('people-notice')
      .getByText(/Waiting for a second admin/)
      .waitFor();
    const roleRow = approvals.getByRole('row', { name: new RegExp(nurse.email) });
    await roleRow.waitFor();
    await screenshot(a, 'people-waiting');

    // A cannot approve their own request: the server's refusal, with its request id.
    await roleRow.getByRole('button', { name: /Approve/ }).click();
    const refusal = a.getByRole('alert').filter({ hasText: 'Not approved' });
    await refusal.waitFor();
    expect(await refusal.getByTestId('request-id').textContent()).toMatch(/Request id: \S+/);
    await refusal.getByText(/approved by a second admin, not by its requester/).waitFor();
    expect(await t.haven.people.users.listApprovals()).toHaveLength(2);
    await expectAccessible(a, 'people-refused');

    // Admin B, in a browser profile of its own, after the re-authentication window has passed.
    const b = await open();
    await signIn(b, adminB);
    clock.advance(5 * MINUTE);
    await goToPeople(b);
    const bApprovals = b.getByTestId('approvals');
    await bApprovals
      .getByRole('row', { name: new RegExp(nurse.email) })
      .getByRole('button', { name: /Approve/ })
      .click();
    const prompt = b.getByRole('dialog', { name: 'Confirm it is you' });
    await prompt.getByLabel(/Your password/).fill(adminB.password);
    await prompt.getByRole('button', { name: 'Confirm' }).click();
    await b.getByText('Approved: the change is applied.').waitFor();
    await bApprovals
      .getByRole('row', { name: /New account/ })
      .getByRole('button', { name: /Approve/ })
      .click();
    const bAccounts = b.getByTestId('people');
    await bAccounts.getByRole('cell', { name: newEmail, exact: true }).waitFor();
    await expect
      .poll(() => bAccounts.getByRole('row', { name: new RegExp(nurse.email) }).textContent())
      .toMatch(/Physician/);
    await b.getByText('Nothing is waiting.').waitFor();

    // Nothing of it in the address bar or in the browser's storage; no CSP refusal anywhere.
    for (const page of [a, b]) {
      expect(new URL(page.url()).pathname).toBe('/people');
      expect(new URL(page.url()).search).toBe('');
      expect(await page.evaluate<number>('localStorage.length + sessionStorage.length')).toBe(0);
      expect(await page.locator('style').count()).toBe(0);
      expect(await cspViolations(page)).toEqual([]);
      expect(consoles.get(page)).toEqual([]);
    }
  }, 60_000);

  it('unlocks, resets the second factor of and disables an account, each confirmed on screen', async () => {
    const admin = await createUser(t, clock, { totp: true, roles: ['admin'] });
    const nurse = await createUser(t, clock, { totp: true, roles: ['nurse'] });
    const page = await open();
    await signIn(page, admin);
    await goToPeople(page);
    const row = page.getByTestId('people').getByRole('row', { name: new RegExp(nurse.email) });
    const notice = page.getByTestId('people-notice');
    await row.getByRole('button', { name: `Unlock ${nurse.email}` }).click();
    await notice.getByText('The account was unlocked.').waitFor();
    await row.getByRole('button', { name: `Reset MFA ${nurse.email}` }).click();
    await notice.getByText(/second factors were removed/).waitFor();
    await expect.poll(() => row.textContent()).toMatch(/no second factor/);
    await row.getByRole('button', { name: `Disable ${nurse.email}` }).click();
    await notice.getByText(/account was disabled/).waitFor();
    await expect.poll(() => row.textContent()).toMatch(/disabled/);
    expect(await t.haven.people.users.list()).toContainEqual(
      expect.objectContaining({ id: nurse.userId, status: 'disabled', mfaConfigured: false }),
    );
    expect(await cspViolations(page)).toEqual([]);
  }, 30_000);

  it('resets MFA, disables after a fresh re-authentication, resends and revokes an invitation', async () => {
    const admin = await createUser(t, clock, { totp: true, roles: ['admin'] });
    const nurse = await createUser(t, clock, { totp: true, roles: ['nurse'] });
    const users = t.haven.people.users;
    // An invitation not taken up yet: the account exists without a password.
    const invitedEmail = `web-invited-${Date.now().toString(36)}@clinic.example`;
    const invited = await users.addUser({ email: invitedEmail, roles: ['scheduler'] });
    const page = await open();
    await signIn(page, admin);
    await goToPeople(page);
    const accounts = page.getByTestId('people');
    const nurseRow = accounts.getByRole('row', { name: new RegExp(nurse.email) });
    const invitedRow = accounts.getByRole('row', { name: new RegExp(invitedEmail) });
    const notice = page.getByTestId('people-notice');

    // An invitation offers only its resending or revocation: no password or second factor yet.
    await expect.poll(() => invitedRow.textContent()).toMatch(/invited/);
    expect(await invitedRow.getByRole('button', { name: /Reset MFA|Disable|Unlock/ }).count()).toBe(
      0,
    );

    await nurseRow.getByRole('button', { name: `Reset MFA ${nurse.email}` }).click();
    await notice.getByText(/second factors were removed/).waitFor();
    await expect.poll(() => nurseRow.textContent()).toMatch(/no second factor/);

    // The re-authentication window (5 minutes) has passed: the prompt, then the same request.
    clock.advance(6 * MINUTE);
    await nurseRow.getByRole('button', { name: `Disable ${nurse.email}` }).click();
    const prompt = page.getByRole('dialog', { name: 'Confirm it is you' });
    await prompt.getByLabel(/Your password/).fill(admin.password);
    await prompt.getByRole('button', { name: 'Confirm' }).click();
    await notice.getByText(/account was disabled/).waitFor();
    await expect.poll(() => nurseRow.textContent()).toMatch(/disabled/);
    expect(await nurseRow.getByRole('button', { name: /^Disable/ }).count()).toBe(0);

    // A resend: a new link goes to the person, and the one sent first stops working.
    const printed = terminal.length;
    await invitedRow.getByRole('button', { name: `Resend invitation ${invitedEmail}` }).click();
    await notice.getByText(/new enrollment link was sent to the person/).waitFor();
    await expect(
      users.enroll(invited.enrollmentToken, 'a long enough passphrase 7'),
    ).rejects.toThrow(/invalid or has expired/);
    expect((await users.list()).find((u) => u.id === invited.userId)?.status).toBe('invited');
    const resent = /enroll#([A-Za-z0-9_-]{43})/.exec(terminal.slice(printed).join(''))?.[1];
    expect(resent).toBeDefined();

    await invitedRow.getByRole('button', { name: `Revoke invitation ${invitedEmail}` }).click();
    await notice.getByText(/invitation was revoked/).waitFor();
    await expect.poll(() => invitedRow.textContent()).toMatch(/disabled/);
    await expectAccessible(page, 'people-actions');
    await screenshot(page, 'admin-people-actions');

    // The server's state, not only the screen: the link that was sent no longer enrolls anyone.
    const after = await users.list();
    expect(after).toContainEqual(
      expect.objectContaining({ id: nurse.userId, status: 'disabled', mfaConfigured: false }),
    );
    expect(after).toContainEqual(
      expect.objectContaining({ id: invited.userId, status: 'disabled' }),
    );
    await expect(users.enroll(resent!, 'a long enough passphrase 7')).rejects.toThrow(
      /invalid or has expired/,
    );
    expect(await cspViolations(page)).toEqual([]);
    expect(consoles.get(page)).toEqual([]);
  }, 120_000);

  it('a non-admin has no People link and the screen says not allowed', async () => {
    const nurse = await createUser(t, clock, { totp: true, roles: ['nurse'] });
    const page = await open();
    await signIn(page, nurse);
    expect(await page.getByRole('link', { name: 'People' }).count()).toBe(0);
    await page.goto(new URL('/people', t.server.url).href);
    await page.getByRole('alert').filter({ hasText: 'Not allowed' }).waitFor();
    expect(await page.getByTestId('people').count()).toBe(0);
    expect(await cspViolations(page)).toEqual([]);
  }, 30_000);
});
