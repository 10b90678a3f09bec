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
 * The auditor's Alerts screen in Chromium against a real server: alerts the rules stored are
 * listed, one is acknowledged with a comment and leaves the open list; a nurse gets neither the
 * link nor the alerts. SQLite only, as the other browser tests.
 */
describe('Alerts screen (auditor) in Chromium', () => {
  const clock = new TestClock();
  let t: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    buildWebApp();
    [t, browser] = await Promise.all([
      startTestServer('sqlite', { clock: clock.fn }),
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
    const consoleLines = watchConsole(page);
    await page.goto(new URL('/', t.server.url).href);
    return { page, consoleLines };
  };
  const signIn = async (page: Page, user: TestUser) => {
    await signInThroughPage(page, { ...user, totpSecret: user.totpSecret! }, (s) =>
      totpNow(s, clock),
    );
    clock.advance(MINUTE);
  };

  it('lists stored alerts and acknowledges one with a comment', async () => {
    // Alerts as the rules store them: a break-glass and a burst of failed sign-ins by address.
    const at = clock.now.toISOString();
    const stream = t.haven.alertStream;
    stream.observe(
      [
        {
          action: 'break-glass',
          outcome: 'success',
          actorType: 'user',
          actorId: 'u-doc-7',
          patientId: 'p-1234',
          detail: { grant: 'grant-42' },
        },
        ...Array.from({ length: 20 }, (_, i) => ({
          action: 'login-password' as const,
          outcome: 'failure' as const,
          actorType: 'anonymous' as const,
          actorId: null,
          ip: '203.0.113.9',
          requestId: `req-${i}`,
        })),
      ],
      at,
    );
    await stream.engine.idle();
    const auditor = await createUser(t, clock, { totp: true, roles: ['auditor'] });
    const { page, consoleLines } = await open();
    await signIn(page, auditor);
    await page.getByRole('link', { name: 'Security alerts' }).click();
    await page.getByRole('heading', { name: 'Security alerts', level: 1 }).waitFor();
    const table = page.getByTestId('alerts');
    const bg = table.getByRole('row', { name: /Emergency access/ });
    await bg.waitFor();
    await table.getByRole('row', { name: /Failed sign-ins \(address\)/ }).waitFor();
    expect(await bg.textContent()).toContain('p-1234');
    expect(await table.textContent()).not.toContain('203.0.113.9');
    await expectAccessible(page, 'auditor-alerts');
    await screenshot(page, 'auditor-alerts');

    await bg.getByRole('button', { name: 'Acknowledge' }).click();
    const dialog = page.getByRole('form', { name: /Acknowledge/ });
    await dialog.getByLabel(/What did you check/).fill('Confirmed with the ward: real emergency');
    await page.mouse.move(0, 0); // the hovered row button is not what axe should judge
    await expectAccessible(page, 'auditor-alerts-acknowledge');
    await dialog.getByRole('button', { name: 'Acknowledge' }).click();
    await dialog.waitFor({ state: 'detached' });
    // The open list no longer holds it; the acknowledged one does, with who acknowledged it.
    await table.getByRole('row', { name: /Emergency access/ }).waitFor({ state: 'detached' });
    const [stored] = await t.haven.alertRepo.list({ rule: 'break-glass', limit: 5 });
    expect(stored).toMatchObject({
      status: 'acknowledged',
      ackBy: auditor.userId,
      ackComment: 'Confirmed with the ward: real emergency',
    });
    await page.getByLabel('Status').selectOption('acknowledged');
    await table
      .getByRole('row', { name: /Emergency access/ })
      .getByText(`Acknowledged by ${auditor.userId}`)
      .waitFor();
    expect(await cspViolations(page)).toEqual([]);
    expect(consoleLines.filter((l) => !/401|403/.test(l))).toEqual([]);
  }, 120_000);

  it('a nurse gets no link and no alerts', async () => {
    const nurse = await createUser(t, clock, { totp: true, roles: ['nurse'] });
    const { page } = await open();
    await signIn(page, nurse);
    await page.getByRole('heading', { name: 'Welcome to Haven' }).waitFor();
    expect(await page.getByRole('link', { name: 'Security alerts' }).count()).toBe(0);
    await page.goto(new URL('/auditor/alerts', t.server.url).href);
    await page.getByText('The alerts could not be loaded').waitFor();
    expect(await page.getByTestId('alerts').count()).toBe(0);
  }, 120_000);
});
