import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { totpCodeAt } from '../../src/auth/totp/totp-core.js';
import { WEB_CSP } from '../../src/http/web-routes.js';
import { createUser, MINUTE, STAFF_PASSWORD, TestClock, totpNow } from '../http/auth/sign-in.js';
import { canaryPatient, canarySecrets } from '../support/canary.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import {
  browserStores,
  buildWebApp,
  cspViolations,
  expectAccessible,
  expectNoCanary,
  forwarder,
  launchChromium,
  newProfile,
  screenshot,
  SCREENSHOTS,
  watchConsole,
} from './browser.js';

/**
 * The web app in headless Chromium against a real Haven test server whose clock the test
 * drives. One browser for the file; each test its own profile (cookies, storage). SQLite only:
 * the pages do not depend on the engine, and the API under them runs on both in test/http.
 */
describe('web app in Chromium', () => {
  const clock = new TestClock();
  let t: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const consoles = new Map<Page, string[]>();

  beforeAll(async () => {
    buildWebApp();
    [t, browser] = await Promise.all([
      startTestServer('sqlite', { clock: clock.fn }),
      launchChromium(),
    ]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });
  afterEach(async (ctx) => {
    // A failed test leaves pictures of its pages in .tmp/ (not committed) to see what went wrong.
    if (ctx.task.result?.state === 'fail') {
      let i = 0;
      for (const page of consoles.keys()) {
        if (!page.isClosed()) await page.screenshot({ path: `.tmp/failed-${(i += 1)}.png` });
      }
    }
    // No test may leave a CSP refusal behind, in the console or in the page's own count.
    for (const [page, lines] of consoles) {
      if (!page.isClosed()) expect(await cspViolations(page)).toEqual([]);
      expect(lines).toEqual([]);
    }
    consoles.clear();
    for (const c of contexts.splice(0)) await c.close();
  });

  const profile = async () => {
    const c = await newProfile(browser);
    contexts.push(c);
    return c;
  };
  const open = async (context: BrowserContext, urlPath = '/') => {
    const page = await context.newPage();
    consoles.set(page, watchConsole(page));
    await page.goto(new URL(urlPath, t.server.url).href);
    return page;
  };
  const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { name });

  /** The sign-in page, filled in, up to the code step. */
  const signIn = async (page: Page, email: string, secret: string) => {
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel(/^Password/).fill(STAFF_PASSWORD);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Authenticator code').fill(totpNow(secret, clock));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading(page, 'Welcome to Haven').waitFor();
    clock.advance(MINUTE); // the step is spent: the next sign-in needs a fresh one
  };

  it('serves the app under the strict CSP, with no-store on the page', async () => {
    const context = await profile();
    const page = await context.newPage();
    consoles.set(page, watchConsole(page));
    const res = await page.goto(new URL('/signin', t.server.url).href);
    expect(res?.headers()['content-security-policy']).toBe(WEB_CSP);
    expect(res?.headers()['cache-control']).toBe('no-store');
    await heading(page, 'Sign in to Haven').waitFor();
    // What the first load costs over the wire (encoded bytes, as the browser counted them).
    const bytes = await page.evaluate<{ name: string; size: number }[]>(
      `performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
        .map((e) => ({ name: new URL(e.name).pathname, size: e.transferSize }))`,
    );
    const ms = await page.evaluate<number>('Math.round(window.__firstHeading)');
    const total = bytes.reduce((n, b) => n + b.size, 0);
    console.log(
      `first load: ${total} bytes, sign-in form after ${ms} ms: ${JSON.stringify(bytes)}`,
    );
    expect(bytes.some((b) => b.name.endsWith('.js'))).toBe(true);
    // Nothing styled inline: no <style> element, no style attribute in the served or built DOM.
    expect(await page.locator('style').count()).toBe(0);
    await expectAccessible(page, 'sign-in');
    await screenshot(page, 'sign-in');
  });

  it('enrolls from an invitation link: password, TOTP from the QR key, recovery codes; then signs out and in again, and a second tab follows the sign-out', async () => {
    const users = t.haven.people.users;
    const email = `web-nurse-${Date.now().toString(36)}@clinic.example`;
    const { enrollmentToken } = await users.addUser({ email, roles: ['nurse'] });
    const context = await profile();
    const page = await open(context, `/enroll#${enrollmentToken}`);
    await heading(page, 'Set up your account').waitFor();
    // The token leaves the address bar (and history) as soon as the page has read it.
    expect(new URL(page.url()).hash).toBe('');
    await expectAccessible(page, 'enroll');
    await screenshot(page, 'enroll');

    // Checked before sending: mismatched passwords never reach the server.
    await page.getByLabel(/Your email address/).fill(email);
    await page.getByLabel(/^New password/).fill(STAFF_PASSWORD);
    await page.getByLabel('Repeat the new password').fill('something else entirely');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('The two passwords are not the same').waitFor();
    await page.getByLabel('Repeat the new password').fill(STAFF_PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();

    await heading(page, 'Set up your authenticator app').waitFor();
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
    await expect.poll(() => page.locator('.haven-qr svg path').count()).toBeGreaterThan(0);
    await expectAccessible(page, 'totp-setup');
    await screenshot(page, 'totp-setup');
    await page
      .getByLabel('Code from your authenticator app')
      .fill(totpCodeAt(secret, clock.now, 6));
    await page.getByRole('button', { name: 'Confirm' }).click();
    const codes = page.getByTestId('recovery-codes').locator('li');
    await expect.poll(() => codes.count()).toBe(10);
    clock.advance(MINUTE);
    await expectAccessible(page, 'recovery-codes');
    await screenshot(page, 'recovery-codes');
    const recoveryCode = (await codes.first().textContent())!.trim();
    await page.getByLabel('I have saved my recovery codes').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await heading(page, 'Welcome to Haven').waitFor();
    await page.getByText('Nurse', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading(page, 'Sign in to Haven').waitFor();
    await page.getByText('You have signed out.').waitFor();
    await signIn(page, email, secret);

    // Change password screen (shown, not submitted: that would end the sessions).
    await page.getByRole('link', { name: 'Change my password' }).click();
    await heading(page, 'Change my password').waitFor();
    await expectAccessible(page, 'change-password');
    await screenshot(page, 'change-password');

    // A second tab of the same browser shares the session; signing out in one ends both.
    const second = await open(context, '/');
    await heading(second, 'Welcome to Haven').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading(second, 'Sign in to Haven').waitFor({ timeout: 5_000 });
    await second.getByText('You have signed out.').waitFor();
    expect(new URL(second.url()).pathname).toBe('/signin');

    // A recovery code instead of the app, by keyboard alone: Tab reaches the email field first.
    await second.keyboard.press('Tab');
    expect(
      await second.evaluate<string | null>(`document.activeElement?.getAttribute('type')`),
    ).toBe('email');
    await second.keyboard.type(email);
    await second.keyboard.press('Tab');
    await second.keyboard.type(STAFF_PASSWORD);
    await second.keyboard.press('Enter');
    await second.getByLabel('Authenticator code').waitFor();
    // Focus is in the code field: past "Sign in" to the switch to a recovery code.
    await second.keyboard.press('Tab');
    await second.keyboard.press('Tab');
    await second.keyboard.press('Enter');
    await second.getByLabel('Recovery code').waitFor();
    await second.keyboard.type(recoveryCode);
    await second.keyboard.press('Enter');
    await heading(second, 'Welcome to Haven').waitFor();
    // ... and the first tab, told through the channel, is signed in again too.
    await heading(page, 'Welcome to Haven').waitFor();
  });

  it('refuses a wrong password with the request id, echoing nothing that was typed', async () => {
    const user = await createUser(t, clock, { totp: true });
    const context = await profile();
    const page = await open(context, '/signin');
    const wrong = 'not-the-password-7731';
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Enter your email address').waitFor(); // validated before sending
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel(/^Password/).fill(wrong);
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/login'));
    await page.getByRole('button', { name: 'Continue' }).click();
    const res = await answer;
    expect(res.status()).toBe(401);
    const requestId = res.headers()['x-request-id']!;
    await expect.poll(() => page.getByTestId('request-id').textContent()).toContain(requestId);
    await page.getByText('The email address or password is not correct.').waitFor();
    const html = await page.content();
    expect(html).not.toContain(wrong);
    expect(await page.getByLabel(/^Password/).inputValue()).toBe('');
    await expectAccessible(page, 'sign-in-error');
    await screenshot(page, 'sign-in-error');
  });

  it('shows a patient who has seen their record', async () => {
    const created = await t.request('POST', '/fhir/R4/Patient', {
      body: {
        resourceType: 'Patient',
        name: [{ given: ['Robin'], family: 'Example', text: 'Robin Example' }],
        birthDate: '1980-02-03',
      },
    });
    const patientId = String(created.json().id);
    // A clinical system reads the record: one entry in the accounting of disclosures.
    expect((await t.request('GET', `/fhir/R4/Patient/${patientId}`)).status).toBe(200);
    const user = await createUser(t, clock, { totp: true, roles: ['patient'], patientId });
    const context = await profile();
    const page = await open(context, '/signin');
    await signIn(page, user.email, user.totpSecret!);
    await page.getByTestId('person-name').getByText('Robin Example').waitFor();
    await expectAccessible(page, 'home');
    await screenshot(page, 'home-patient');
    await page.getByRole('link', { name: 'Who has seen my record' }).click();
    const table = page.getByTestId('disclosures');
    await table.waitFor();
    const rows = await table.locator('tbody tr').allTextContents();
    expect(
      rows.some((r) => r.includes('Connected system') && r.includes(`Patient/${patientId}`)),
    ).toBe(true);
    await expectAccessible(page, 'disclosures');
    await screenshot(page, 'disclosures');
  });

  it('reset link: a new password, checked before sending', async () => {
    const user = await createUser(t, clock, { totp: true });
    const { resetToken: token } = await t.haven.people.users.issuePasswordReset(user.userId);
    const context = await profile();
    const page = await open(context, `/reset#${token}`);
    await heading(page, 'Reset your password').waitFor();
    expect(new URL(page.url()).hash).toBe('');
    await page.getByLabel(/^New password/).fill('short');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText(/Use at least 8 characters/).waitFor();
    await expectAccessible(page, 'reset');
    await screenshot(page, 'reset');
    await page.getByLabel(/^New password/).fill('cobalt meadow ferry 5512');
    await page.getByLabel('Repeat the new password').fill('cobalt meadow ferry 5512');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText('Your password has been changed.').waitFor();
  });

  it('logs off an idle session in every tab, leaving no PHI in the DOM or any browser store', async () => {
    const n = 9301;
    const created = await t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(n) });
    const patientId = String(created.json().id);
    const user = await createUser(t, clock, { totp: true, roles: ['patient'], patientId });
    const context = await profile();
    // The page's timers are fake from the first script on; the server's clock is the test's.
    await context.clock.install();
    const page = await open(context, '/signin');
    await signIn(page, user.email, user.totpSecret!);
    const name = page.getByTestId('person-name');
    await name.waitFor();
    // The check below can fail: the canary is on screen now.
    const before = (await browserStores(page)).text;
    expect(canarySecrets(n).filter((s) => before.includes(s)).length).toBeGreaterThan(0);
    const second = await open(context, '/');
    await second.getByTestId('person-name').waitFor();

    // 13 minutes later (idle limit 15): the warning, in both tabs.
    const idle = async (ms: number) => {
      clock.advance(ms);
      await context.clock.fastForward(ms);
    };
    await idle(13 * MINUTE + 1_000);
    const warning = (p: Page) => p.getByRole('alertdialog');
    await warning(page).waitFor();
    await warning(second).waitFor();
    await expectAccessible(page, 'idle-warning');
    await screenshot(page, 'idle-warning', [name]);

    // "Stay signed in" in one tab is activity: the warning goes away in both.
    await second.getByRole('button', { name: 'Stay signed in' }).click();
    await warning(page).waitFor({ state: 'hidden' });
    await warning(second).waitFor({ state: 'hidden' });

    // Idle again, past the limit: both tabs show the sign-in page.
    await idle(13 * MINUTE + 1_000);
    await warning(page).waitFor();
    await idle(2 * MINUTE);
    for (const p of [page, second]) {
      await heading(p, 'Sign in to Haven').waitFor();
      await p.getByText('You were signed out because the session was idle.').waitFor();
      const { text, stores } = await browserStores(p);
      expectNoCanary(text);
      expect(stores).toEqual([]);
      expect(p.url()).not.toContain(patientId);
    }
    // The server agrees: the session is gone.
    const session = await page.evaluate<number>(
      `fetch('/api/session', { cache: 'no-store' }).then((r) => r.status)`,
    );
    expect(session).toBe(401);
  });

  it('shows the sign-in page within one poll when the server ends the session', async () => {
    const user = await createUser(t, clock, { totp: true });
    const context = await profile();
    await context.clock.install();
    const page = await open(context, '/signin');
    await signIn(page, user.email, user.totpSecret!);
    // Ended on the server (as a disable, a privilege change or an admin would): no page action.
    await t.haven.people.sessions.endAllForUser(user.userId);
    await context.clock.fastForward(15_000);
    await heading(page, 'Sign in to Haven').waitFor();
    await page.getByText('Your session has ended. Please sign in again.').waitFor();
  });

  it('lists the person’s sessions and signs out another one, which then shows the sign-in page', async () => {
    const user = await createUser(t, clock, { totp: true });
    const [elsewhere, here] = [await profile(), await profile()];
    for (const c of [elsewhere, here]) await c.clock.install();
    const other = await open(elsewhere, '/signin');
    await signIn(other, user.email, user.totpSecret!);
    const page = await open(here, '/signin');
    await signIn(page, user.email, user.totpSecret!);
    const sessions = page.getByTestId('own-sessions');
    await sessions.getByText('This session', { exact: true }).waitFor();
    await expect.poll(() => sessions.getByTestId('session-other').count()).toBe(1);
    await expectAccessible(page, 'own-sessions');

    await sessions.getByRole('button', { name: /^Sign out this session/ }).click();
    await expect.poll(() => sessions.getByTestId('session-other').count()).toBe(0);
    await sessions.getByTestId('session-current').waitFor();
    // The other browser learns it at its next poll; this one stays signed in.
    await elsewhere.clock.fastForward(15_000);
    await heading(other, 'Sign in to Haven').waitFor();
    await other.getByText('Your session has ended. Please sign in again.').waitFor();
    await heading(page, 'Welcome to Haven').waitFor();
  });

  it('registers a passkey (Chromium virtual authenticator) and signs in with it alone, or after the password', async () => {
    // Its own server, whose public URL (the WebAuthn origin) is the address the browser uses.
    const door = await forwarder();
    const origin = `https://localhost:${door.port}`;
    const s = await startTestServer('sqlite', {
      clock: clock.fn,
      env: { HAVEN_PUBLIC_URL: origin },
    });
    door.to(Number(new URL(s.server.url).port));
    try {
      const user = await createUser(s, clock, { totp: true, roles: ['physician'] });
      const context = await profile();
      const page = await context.newPage();
      consoles.set(page, watchConsole(page));
      const cdp = await context.newCDPSession(page);
      await cdp.send('WebAuthn.enable');
      await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          automaticPresenceSimulation: true,
        },
      });
      await page.goto(`${origin}/signin`);
      await page.getByLabel('Email address').fill(user.email);
      await page.getByLabel(/^Password/).fill(STAFF_PASSWORD);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Authenticator code').fill(totpNow(user.totpSecret!, clock));
      await page.getByRole('button', { name: 'Sign in' }).click();
      await heading(page, 'Welcome to Haven').waitFor();
      clock.advance(MINUTE);

      await page.getByRole('button', { name: 'Add a passkey' }).click();
      await page.getByLabel(/^Confirm with your password/).fill(STAFF_PASSWORD);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByText('You have 1 passkey.').waitFor();
      await expectAccessible(page, 'home-passkeys');
      await screenshot(page, 'passkeys');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await heading(page, 'Sign in to Haven').waitFor();
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await heading(page, 'Welcome to Haven').waitFor();

      // And as the second step after the password.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Email address').fill(user.email);
      await page.getByLabel(/^Password/).fill(STAFF_PASSWORD);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('button', { name: 'Use a passkey instead' }).click();
      await heading(page, 'Welcome to Haven').waitFor();
    } finally {
      for (const c of contexts.splice(0)) await c.close();
      await s.stop();
      await door.close();
    }
  });

  it('keeps its screenshots in docs/screenshots', () => {
    for (const name of [
      'sign-in',
      'enroll',
      'totp-setup',
      'recovery-codes',
      'home-patient',
      'disclosures',
      'idle-warning',
      'people-waiting',
    ]) {
      expect(fs.existsSync(path.join(SCREENSHOTS, `${name}.png`))).toBe(true);
    }
  });
});
