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
 * The auditor's compliance report in Chromium against a real server configured with a 60-minute
 * idle logoff: the failing check shows with its evidence and fix; a nurse gets neither the link
 * nor the report. SQLite only, as the other screen tests.
 */
describe('Compliance report screen (auditor) in Chromium', () => {
  const clock = new TestClock();
  let t: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    buildWebApp();
    [t, browser] = await Promise.all([
      startTestServer('sqlite', {
        clock: clock.fn,
        env: { HAVEN_SESSION_IDLE_MINUTES: '60', HAVEN_ALLOW_IDLE_ABOVE_15: '1' },
      }),
      launchChromium(),
    ]);
  }, 120_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await t?.stop();
  });

  const open = async () => {
    const context = await newProfile(browser);
    contexts.push(context);
    const page = await context.newPage();
    const console = watchConsole(page);
    await page.goto(new URL('/', t.server.url).href);
    return { page, console };
  };
  const signIn = async (page: Page, user: TestUser) => {
    await signInThroughPage(page, { ...user, totpSecret: user.totpSecret! }, (s) =>
      totpNow(s, clock),
    );
    clock.advance(MINUTE);
  };

  it('shows every check with its result, evidence and fix', async () => {
    const auditor = await createUser(t, clock, { totp: true, roles: ['auditor'] });
    const { page, console } = await open();
    await signIn(page, auditor);
    await page.getByRole('link', { name: 'Compliance report' }).click();
    await page.getByRole('heading', { name: 'Compliance report', level: 1 }).waitFor();
    const table = page.getByTestId('compliance-checks');
    const idle = table.locator('[data-check="idle-timeout"]');
    await idle.waitFor();
    expect(await idle.getAttribute('data-status')).toBe('fail');
    await expect(idle.textContent()).resolves.toContain('idle logoff after 60 minutes');
    await expect(idle.textContent()).resolves.toContain('HAVEN_SESSION_IDLE_MINUTES');
    expect(await table.locator('[data-check="tls-min-version"]').getAttribute('data-status')).toBe(
      'pass',
    );
    expect(await table.locator('tbody tr').count()).toBe(15);
    await expectAccessible(page, 'compliance report');
    await screenshot(page, 'compliance-report', [page.getByText(/^Checked /)]);
    expect(await cspViolations(page)).toEqual([]);
    expect(console).toEqual([]);
  });

  it('gives a nurse neither the link nor the report', async () => {
    const nurse = await createUser(t, clock, { totp: true, roles: ['nurse'] });
    const { page } = await open();
    await signIn(page, nurse);
    expect(await page.getByRole('link', { name: 'Compliance report' }).count()).toBe(0);
    await page.goto(new URL('/compliance', t.server.url).href);
    await page.getByText('The report could not be loaded').waitFor();
    expect(await page.getByTestId('compliance-checks').count()).toBe(0);
  });
});
