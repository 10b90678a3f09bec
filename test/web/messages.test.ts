import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE, TestClock, totpNow, type TestUser } from '../http/auth/sign-in.js';
import { messagingClinic, type MessagingClinic } from '../messaging/messaging-fixture.js';
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

const QUESTION = 'Synthetic question: may I take the new tablets with food?';
const ANSWER = 'Synthetic answer: yes, with breakfast.';

/**
 * Secure messaging in Chromium against a real server (SQLite, as the other browser tests): the
 * patient writes with an attachment, the doctor sees it unread, reads and replies, and the
 * patient sees the reply and the doctor's read receipt. Each screen passes axe.
 */
describe('secure messages in Chromium', () => {
  const clock = new TestClock();
  let t: TestServer;
  let browser: Browser;
  let clinic: MessagingClinic;
  const contexts: BrowserContext[] = [];
  const consoles = new Map<Page, string[]>();

  beforeAll(async () => {
    buildWebApp();
    [t, browser] = await Promise.all([
      startTestServer('sqlite', { clock: clock.fn }),
      launchChromium(),
    ]);
    clinic = await messagingClinic(t, clock, 0, {
      resourceType: 'Patient',
      name: [{ given: ['Sample'], family: 'Person' }],
      gender: 'unknown',
    });
  }, 240_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await t?.stop();
  });

  const open = async (user: TestUser) => {
    const context = await newProfile(browser);
    contexts.push(context);
    const page = await context.newPage();
    consoles.set(page, watchConsole(page));
    await page.goto(new URL('/', t.server.url).href);
    await signInThroughPage(page, { ...user, totpSecret: user.totpSecret! }, (s) =>
      totpNow(s, clock),
    );
    clock.advance(MINUTE);
    await page.getByRole('link', { name: 'Messages' }).click();
    await page.getByRole('heading', { name: 'Messages', level: 1 }).waitFor();
    return page;
  };

  it('patient writes, clinician reads and replies, patient sees the reply and the receipt', async () => {
    const patient = await open(clinic.people.patient.user);
    await expect.poll(() => patient.getByText('No messages yet.').count()).toBe(1);
    await expectAccessible(patient, 'messages-empty');
    await patient.getByLabel('Subject').fill('Synthetic: tablets');
    await patient.getByRole('textbox', { name: 'Message' }).fill(QUESTION);
    await patient.locator('input[type=file]').setInputFiles({
      name: 'diary.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Synthetic diary'),
    });
    await patient.getByRole('button', { name: 'Send' }).click();
    await patient.getByRole('heading', { name: 'Synthetic: tablets', level: 1 }).waitFor();
    await expect
      .poll(() => patient.getByTestId('message-text').allTextContents())
      .toEqual([QUESTION]);
    await expect
      .poll(() => patient.getByTestId('receipt').first().textContent())
      .toBe('Not read yet');

    const doc = await open(clinic.people.doc.user);
    const row = doc.getByRole('table', { name: 'Message threads' }).getByRole('row').nth(1);
    await expect.poll(() => row.textContent()).toContain('1 unread');
    expect(await row.textContent()).toContain('Sample Person');
    await expectAccessible(doc, 'messages-inbox');
    await doc.getByRole('link', { name: 'Synthetic: tablets' }).click();
    await expect.poll(() => doc.getByTestId('message-text').allTextContents()).toEqual([QUESTION]);
    await doc.getByRole('button', { name: /Download diary\.txt/ }).waitFor();
    await doc.getByRole('textbox', { name: 'Message' }).fill(ANSWER);
    await doc.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(() => doc.getByTestId('message-text').allTextContents())
      .toEqual([QUESTION, ANSWER]);
    await expectAccessible(doc, 'messages-thread');
    await doc.getByRole('link', { name: 'Back to messages' }).click();
    await expect.poll(() => doc.getByTestId('unread-total').textContent()).toBe('Nothing unread.');

    await patient.getByRole('link', { name: 'Back to messages' }).click();
    await expect.poll(() => patient.getByTestId('unread-total').textContent()).toBe('1 unread.');
    await patient.getByRole('link', { name: 'Synthetic: tablets' }).click();
    await expect
      .poll(() => patient.getByTestId('message-text').allTextContents())
      .toEqual([QUESTION, ANSWER]);
    await expect
      .poll(() => patient.getByTestId('receipt').first().textContent())
      .toMatch(/^Read by Test Doc at /);
    await expectAccessible(patient, 'messages-thread-patient');
    await screenshot(patient, 'messages');
    for (const page of [patient, doc]) {
      expect(await cspViolations(page)).toEqual([]);
      expect(consoles.get(page)).toEqual([]);
    }
  });

  it('a clinician outside the care team sees no thread and cannot open one by its address', async () => {
    const stranger = await open(clinic.people.stranger.user);
    await expect.poll(() => stranger.getByText('No messages yet.').count()).toBe(1);
    const inbox = await t.haven.messaging.inbox({
      principal: {
        kind: 'user',
        id: clinic.people.patient.user.userId,
        label: '',
        roles: ['patient'],
        scopes: [],
        patientId: clinic.patientId,
        mfa: true,
      },
      requestId: 'test',
      ip: undefined,
      userAgent: undefined,
    });
    const threadId = inbox.threads[0]!.threadId;
    await stranger.goto(new URL(`/messages/${threadId}`, t.server.url).href);
    await stranger.getByRole('alert').waitFor();
    expect(await stranger.getByRole('alert').textContent()).toContain('could not be loaded');
    expect(await stranger.getByTestId('messages').count()).toBe(0);
  });
});
