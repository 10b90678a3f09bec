import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE, totpNow, type TestUser } from '../http/auth/sign-in.js';
import {
  DOC_NAME,
  schedulingClinic,
  startSmtp,
  type SchedulingClinic,
} from '../telehealth/scheduling-harness.js';
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
 * The scheduler's calendar and the patient's appointments in Chromium against a real server
 * (issue 16): the week of a clinician in the clinic's zone, booking a patient into a free slot,
 * moving and cancelling through the screen; the patient sees their own upcoming visit.
 * SQLite only, as the other browser tests (the API tests run both engines).
 */
describe('scheduling screens in Chromium', () => {
  let mail: { smtp: SMTPServer; port: number };
  let c: SchedulingClinic;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const slots: string[] = [];

  beforeAll(async () => {
    buildWebApp();
    mail = await startSmtp();
    [c, browser] = await Promise.all([schedulingClinic('sqlite', mail.port), launchChromium()]);
    // Three free slots on the doctor's schedule the next day at 09:00, 10:00 and 11:00 UTC.
    const day = new Date(c.clock.now.getTime() + 86_400_000).toISOString().slice(0, 10);
    const published = await c.call(c.scheduler, 'POST', '/api/scheduling/slots', {
      practitionerId: 'doc-1',
      slots: [9, 10, 11].map((h) => ({
        start: `${day}T${h}:00:00Z`.replace('T9:', 'T09:'),
        end: `${day}T${h}:30:00Z`.replace('T9:', 'T09:'),
      })),
    });
    expect(published.status).toBe(201);
    slots.push(...(published.json().slots as { id: string }[]).map((x) => x.id));
  }, 120_000);
  afterAll(async () => {
    for (const x of contexts) await x.close();
    await browser?.close();
    await c?.t.stop();
    await new Promise<void>((resolve) => mail?.smtp.close(() => resolve()));
  });

  const open = async () => {
    const context = await newProfile(browser);
    contexts.push(context);
    const page = await context.newPage();
    const console = watchConsole(page);
    await page.goto(new URL('/', c.t.server.url).href);
    return { page, console };
  };
  const signIn = async (page: Page, user: TestUser) => {
    await signInThroughPage(page, { ...user, totpSecret: user.totpSecret! }, (s) =>
      totpNow(s, c.clock),
    );
    c.clock.advance(MINUTE);
  };
  const week = c_week();

  it("books, moves and cancels on the scheduler's week calendar", async () => {
    const { page, console } = await open();
    await signIn(page, c.scheduler.user);
    await page.getByRole('link', { name: 'Calendar' }).click();
    await page.getByRole('heading', { name: 'Calendar', level: 1 }).waitFor();
    await page.getByLabel('Week of').fill(week());
    await page.getByRole('combobox', { name: 'Clinician' }).click();
    await page.getByRole('option', { name: DOC_NAME }).click();
    const grid = page.getByTestId('week');
    await grid.getByRole('button', { name: /^Book 09:00/ }).waitFor();
    expect(await grid.getByTestId('slot').count()).toBe(3);

    // Book patient 1 into 09:00.
    await grid.getByRole('button', { name: /^Book 09:00/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Book a patient' });
    await dialog.getByRole('combobox', { name: 'Patient' }).click();
    await page.getByRole('option', { name: 'Zebedee1 Canarywing1' }).click();
    await dialog.getByRole('button', { name: 'Book appointment' }).click();
    await grid.getByRole('button', { name: /^Change appointment at 09:00/ }).waitFor();
    await grid.getByText('Zebedee1 Canarywing1').waitFor();
    await expectAccessible(page, 'scheduler-calendar');
    await screenshot(page, 'scheduler-calendar', [page.getByText(/Canarywing/)]);

    // Move it to 11:00: 09:00 is free again.
    await grid.getByRole('button', { name: /^Change appointment at 09:00/ }).click();
    const change = page.getByRole('dialog', { name: 'Change the appointment' });
    await change.getByRole('combobox', { name: 'Move to a free slot' }).click();
    await page.getByRole('option', { name: /11:00/ }).click();
    await change.getByRole('button', { name: 'Reschedule' }).click();
    await grid.getByRole('button', { name: /^Change appointment at 11:00/ }).waitFor();
    await grid.getByRole('button', { name: /^Book 09:00/ }).waitFor();
    const mine = await c.call(c.patient, 'GET', '/api/scheduling/my-appointments');
    const listed = mine.json().appointments as { slotId: string }[];
    expect(listed.map((a) => a.slotId)).toContain(slots[2]);
    expect(listed.map((a) => a.slotId)).not.toContain(slots[0]);

    // 10:00 is booked by someone else while this screen still shows it free: the server refuses.
    const other = await c.call(c.scheduler, 'POST', '/api/scheduling/appointments', {
      slotId: slots[1],
      patientId: 'pat-2',
    });
    expect(other.status).toBe(201);
    await grid.getByRole('button', { name: /^Book 10:00/ }).click();
    const late = page.getByRole('dialog', { name: 'Book a patient' });
    await late.getByRole('combobox', { name: 'Patient' }).click();
    await page.getByRole('option', { name: 'Zebedee1 Canarywing1' }).click();
    await late.getByRole('button', { name: 'Book appointment' }).click();
    const refusal = late.getByRole('alert').filter({ hasText: 'Not booked' });
    await refusal.getByText(/already booked/).waitFor();
    expect(await refusal.getByTestId('request-id').textContent()).toMatch(/Request id: \S+/);
    await page.keyboard.press('Escape');
    expect(await cspViolations(page)).toEqual([]);
    expect(console).toEqual([]);
  });

  it('shows the patient their upcoming appointment, in their own zone, with the clinician', async () => {
    const { page } = await open();
    await signIn(page, c.patient.user);
    await page.getByRole('link', { name: 'My appointments' }).click();
    await page.getByRole('heading', { name: 'My appointments', level: 1 }).waitFor();
    const list = page.getByTestId('appointments');
    await list.getByText(`With ${DOC_NAME}`).waitFor();
    expect(await list.getByRole('article').count()).toBe(1);
    await list.getByText(/11:00 AM – 11:30 AM/).waitFor();
    await expectAccessible(page, 'patient-appointments');
    await screenshot(page, 'patient-appointments');
  });

  it('cancels from the calendar: the slot is free and the patient has nothing upcoming', async () => {
    const { page } = await open();
    await signIn(page, c.scheduler.user);
    await page.getByRole('link', { name: 'Calendar' }).click();
    await page.getByLabel('Week of').fill(week());
    await page.getByRole('combobox', { name: 'Clinician' }).click();
    await page.getByRole('option', { name: DOC_NAME }).click();
    const grid = page.getByTestId('week');
    await grid.getByRole('button', { name: /^Change appointment at 11:00/ }).click();
    await page.getByRole('button', { name: 'Cancel appointment' }).click();
    await grid.getByRole('button', { name: /^Book 11:00/ }).waitFor();
    const mine = await c.call(c.patient, 'GET', '/api/scheduling/my-appointments');
    expect(mine.json().appointments).toEqual([]);
  });

  function c_week() {
    return () => c.clock.now.toISOString().slice(0, 10);
  }
});
