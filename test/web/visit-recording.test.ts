import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api, TestClock, type Jar } from '../http/auth/sign-in.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { visitFixture, type VisitFixture } from '../telehealth/video/visit-fixture.js';
import {
  buildWebApp,
  cspViolations,
  expectAccessible,
  launchChromium,
  newProfile,
  watchConsole,
} from './browser.js';

const MEDIA_FLAGS = [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
];

/**
 * Recording a video visit in headless Chromium with fake cameras (ADR 0034): the record button
 * stays disabled until the patient consents too; the clinician's browser records a few seconds
 * (MediaRecorder, one-second slices), uploads them, stops; the clinician plays the recording
 * back from Haven, and that playback is in the audit trail. The server's clock is the test's.
 */
describe('visit recording in Chromium', () => {
  const clock = new TestClock();
  let t: TestServer;
  let browser: Browser;
  let f: VisitFixture;
  const contexts: BrowserContext[] = [];
  const consoles = new Map<Page, string[]>();

  beforeAll(async () => {
    buildWebApp();
    [t, browser] = await Promise.all([
      startTestServer('sqlite', { clock: clock.fn, env: { HAVEN_VISIT_RECORDING: '1' } }),
      launchChromium(MEDIA_FLAGS),
    ]);
    f = await visitFixture(t, clock);
  }, 120_000);
  const pulseBefore = pulseDirs();
  afterAll(async () => {
    await browser?.close();
    for (const d of pulseDirs())
      if (!pulseBefore.has(d)) fs.rmSync(d, { recursive: true, force: true });
    await t?.stop();
  });
  afterEach(async () => {
    for (const [page, lines] of consoles) {
      if (!page.isClosed()) expect(await cspViolations(page)).toEqual([]);
      expect(lines).toEqual([]);
    }
    consoles.clear();
    for (const c of contexts.splice(0)) await c.close();
  });

  const as = async (jar: Jar, urlPath: string) => {
    const context = await newProfile(browser);
    context.setDefaultTimeout(30_000);
    context.setDefaultNavigationTimeout(30_000);
    contexts.push(context);
    await context.addCookies([
      {
        name: '__Host-haven_session',
        value: jar.session!,
        url: t.server.url,
        secure: true,
        httpOnly: true,
        sameSite: 'Strict',
      },
      {
        name: '__Host-haven_csrf',
        value: jar.csrf!,
        url: t.server.url,
        secure: true,
        sameSite: 'Strict',
      },
    ]);
    const page = await context.newPage();
    consoles.set(page, watchConsole(page));
    await page.goto(new URL(urlPath, t.server.url).href);
    return page;
  };
  const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { name });
  /** The consent box follows the server's answer, so it turns once the consent is stored. */
  const setConsent = async (page: Page, given: boolean) => {
    const box = page.getByLabel('I consent to this visit being recorded');
    await box.click();
    await expect.poll(() => box.isChecked(), { timeout: 20_000 }).toBe(given);
  };
  const status = async () =>
    (
      await api(t, 'GET', `/api/visits/${f.appointmentId}/recording`, { jar: f.clinician })
    ).json() as {
      active: { nextSeq: number; bytes: number } | null;
      recordings: { binary: string | null; bytes: number }[];
    };

  it('records only with both consents, uploads, and the clinician plays it back (audited)', async () => {
    const room = f.appointmentId;
    const patient = await as(f.patient, `/visit/${room}`);
    await heading(patient, 'Check your camera and microphone').waitFor();
    await patient.getByRole('button', { name: 'Enter the waiting room' }).click();
    await patient.getByTestId('waiting').waitFor();
    const clinician = await as(f.clinician, `/visit/${room}`);
    await clinician.getByText('The patient is waiting.').waitFor();
    await clinician.getByRole('button', { name: 'Admit the patient' }).click();
    for (const page of [patient, clinician]) await heading(page, 'Video visit').waitFor();

    const record = clinician.getByRole('button', { name: 'Start recording' });
    await record.waitFor();
    expect(await record.isDisabled()).toBe(true);
    // The clinician's own consent is not enough.
    await setConsent(clinician, true);
    await clinician.getByText('The patient has not consented to recording.').waitFor();
    await patient.getByText('Your clinician consents to recording.').waitFor();
    expect(await record.isDisabled()).toBe(true);
    // Even pressed by force, nothing is recorded.
    await record.click({ force: true }).catch(() => undefined);
    expect((await status()).active).toBeNull();

    await setConsent(patient, true);
    await clinician.getByText('The patient consents to recording.').waitFor();
    await expect.poll(() => record.isDisabled(), { timeout: 20_000 }).toBe(false);
    await expectAccessible(clinician, 'visit-recording');
    await record.click();
    // Both sides see that a recording runs.
    for (const page of [clinician, patient]) await page.getByTestId('recording-on').waitFor();
    // A few one-second slices of the fake camera reach Haven.
    await expect
      .poll(async () => (await status()).active?.nextSeq ?? 0, { timeout: 30_000, interval: 500 })
      .toBeGreaterThanOrEqual(3);
    await clinician.getByRole('button', { name: 'Stop recording' }).click();
    await clinician.getByRole('button', { name: 'Play recording 1' }).waitFor();
    const kept = (await status()).recordings;
    expect(kept).toHaveLength(1);
    expect(kept[0]!.bytes).toBeGreaterThan(1000);

    const from = (await t.haven.auditRepo.head()).size;
    await clinician.getByRole('button', { name: 'Play recording 1' }).click();
    const video = clinician.getByTestId('recording-playback');
    await video.waitFor();
    // The recording decodes: it has a picture of the fake camera's size.
    await expect
      .poll(
        () =>
          video.evaluate((v) => {
            const el = v as unknown as { readyState: number; videoWidth: number };
            return el.readyState >= 2 ? el.videoWidth : 0;
          }),
        { timeout: 20_000 },
      )
      .toBeGreaterThan(0);
    const downloads = (await t.haven.auditRepo.entries(from, 1000)).filter(
      (e) => e.action === 'attachment-download' && e.outcome === 'success',
    );
    expect(downloads.map((e) => e.resource_id)).toEqual([kept[0]!.binary]);

    // The patient withdraws: the recording badge is gone, and the button disabled again.
    await setConsent(patient, false);
    await clinician.getByText('The patient has not consented to recording.').waitFor();
    expect(await record.isDisabled()).toBe(true);
    await clinician.getByRole('button', { name: 'Hang up' }).click();
    for (const page of [clinician, patient]) await page.getByTestId('visit-ended').waitFor();
  }, 150_000);
});

function pulseDirs(): Set<string> {
  return new Set(
    fs
      .readdirSync(os.tmpdir())
      .filter((n) => n.startsWith('pulse-'))
      .map((n) => path.join(os.tmpdir(), n)),
  );
}
