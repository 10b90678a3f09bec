import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { turnCredential } from '../../src/telehealth/index.js';
import { api, TestClock, type Jar } from '../http/auth/sign-in.js';
import { startCoturn, type Coturn } from '../support/coturn.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { appointment, visitFixture, type VisitFixture } from '../telehealth/video/visit-fixture.js';
import {
  buildWebApp,
  cspViolations,
  expectAccessible,
  launchChromium,
  newProfile,
  screenshot,
  watchConsole,
} from './browser.js';

const TURN_SECRET = 'video-visit-test-turn-secret';
const MEDIA_FLAGS = [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
];

/**
 * A video visit in headless Chromium with fake cameras (ADR 0027): two profiles, the patient
 * and the clinician, each seeing the other's video decode; a third with another person's
 * session refused; the same call forced through a coturn of the test's own with credentials
 * from Haven; an expired credential refused by that coturn. SQLite only: the pages do not
 * depend on the engine (test/telehealth/video runs the rooms on both).
 */
describe('video visit in Chromium', () => {
  const clock = new TestClock();
  let t: TestServer;
  let browser: Browser;
  let coturn: Coturn;
  let f: VisitFixture;
  const contexts: BrowserContext[] = [];
  const consoles = new Map<Page, string[]>();

  beforeAll(async () => {
    buildWebApp();
    coturn = await startCoturn(TURN_SECRET);
    [t, browser] = await Promise.all([
      startTestServer('sqlite', {
        clock: clock.fn,
        env: { HAVEN_TURN_URLS: coturn.url, HAVEN_TURN_SECRET: TURN_SECRET },
      }),
      launchChromium(MEDIA_FLAGS),
    ]);
    f = await visitFixture(t, clock);
  }, 120_000);
  const pulseBefore = pulseDirs();
  afterAll(async () => {
    await browser?.close();
    // Chromium's fake audio device leaves a PulseAudio directory in the temporary folder.
    for (const d of pulseDirs())
      if (!pulseBefore.has(d)) fs.rmSync(d, { recursive: true, force: true });
    await t?.stop();
    await coturn?.stop();
  });
  afterEach(async () => {
    for (const [page, lines] of consoles) {
      if (!page.isClosed()) expect(await cspViolations(page)).toEqual([]);
      expect(lines).toEqual([]);
    }
    consoles.clear();
    for (const c of contexts.splice(0)) await c.close();
  });

  /** A browser profile holding the person's session, as after signing in. */
  const as = async (jar: Jar, urlPath: string) => {
    const context = await newProfile(browser);
    // Two live calls on a shared machine: slower than the other screens.
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

  /** Inbound video frames decoded so far, and the type of the local candidate in use. */
  const stats = (page: Page) =>
    page.evaluate<{ framesDecoded: number; localType: string | null }>(`(async () => {
      const pc = window.__havenVisitPc;
      if (!pc) return { framesDecoded: 0, localType: null };
      const report = await pc.getStats();
      let framesDecoded = 0, localType = null, pair;
      report.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') framesDecoded += s.framesDecoded ?? 0;
        if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated) pair = s;
      });
      if (pair) localType = report.get(pair.localCandidateId)?.candidateType ?? null;
      return { framesDecoded, localType };
    })()`);

  const call = async (room: string, query = '') => {
    const patient = await as(f.patient, `/visit/${room}${query}`);
    await heading(patient, 'Check your camera and microphone').waitFor();
    await expect
      .poll(() => patient.getByTestId('device-check').textContent())
      .toContain('Camera: working · Microphone: working');
    await patient.getByRole('button', { name: 'Enter the waiting room' }).click();
    await heading(patient, 'Waiting room').waitFor();
    await patient.getByTestId('waiting').waitFor();

    const clinician = await as(f.clinician, '/visits');
    await heading(clinician, 'Waiting patients').waitFor();
    await clinician.getByRole('link', { name: /Patient waiting since/ }).click();
    await clinician.getByText('The patient is waiting.').waitFor();
    if (query) await clinician.goto(new URL(`/visit/${room}${query}`, t.server.url).href);
    await clinician.getByRole('button', { name: 'Admit the patient' }).click();
    for (const page of [patient, clinician]) {
      await heading(page, 'Video visit').waitFor();
      await expect
        .poll(async () => (await stats(page)).framesDecoded, { timeout: 20_000 })
        .toBeGreaterThan(0);
    }
    return { patient, clinician };
  };

  it('patient waits, clinician admits, both see each other, a stranger is refused, hang-up ends both', async () => {
    const { patient, clinician } = await call(f.appointmentId);
    // A third profile with the link but another patient's session gets nothing.
    const stranger = await as(f.stranger, `/visit/${f.appointmentId}`);
    await stranger.getByText('This visit cannot be opened').waitFor();
    expect(await stranger.getByTestId('remote-video').count()).toBe(0);

    // The note beside the video: a draft DocumentReference in the visit's Encounter.
    await clinician.getByLabel('Visit note (draft)').fill('Synthetic visit note text.');
    await expectAccessible(clinician, 'video-visit');
    await screenshot(clinician, 'video-visit');
    await clinician.getByRole('button', { name: 'Save draft' }).click();
    await clinician.getByText(/Draft saved at/).waitFor();
    const notes = await t.request('GET', `/fhir/R4/DocumentReference?patient=${f.patientId}`);
    const note = (notes.json() as { entry?: { resource: Record<string, unknown> }[] }).entry?.[0]
      ?.resource;
    expect(note).toMatchObject({
      docStatus: 'preliminary',
      context: { encounter: [{ reference: expect.stringMatching(/^Encounter\//) }] },
    });

    await clinician.getByRole('button', { name: 'Hang up' }).click();
    for (const page of [clinician, patient]) await page.getByTestId('visit-ended').waitFor();
    const info = await api(t, 'GET', `/api/visits/${f.appointmentId}`, { jar: f.clinician });
    expect(info.json().error).toMatchObject({ code: 'ended' });
  }, 90_000);

  it('shows the waiting room (screenshot, accessible)', async () => {
    const room = await appointment(t, f.patientId, f.practitionerId, clock.now);
    const patient = await as(f.patient, `/visit/${room}`);
    await patient.getByRole('button', { name: 'Enter the waiting room' }).click();
    await patient.getByTestId('waiting').waitFor();
    await expectAccessible(patient, 'waiting-room');
    await screenshot(patient, 'waiting-room');
  }, 90_000);

  it('carries the same call through TURN (relay only) with credentials from Haven', async () => {
    const room = await appointment(t, f.patientId, f.practitionerId, clock.now);
    const { patient, clinician } = await call(room, '?ice=relay');
    for (const page of [patient, clinician]) expect((await stats(page)).localType).toBe('relay');
    await patient.getByRole('button', { name: 'Hang up' }).click();
    await clinician.getByTestId('visit-ended').waitFor();
  }, 90_000);

  it('coturn allocates with a fresh credential and refuses an expired one', async () => {
    const page = await as(f.patient, '/signin');
    const relayCandidates = (username: string, credential: string) =>
      page.evaluate<number>(`(async () => {
        const pc = new RTCPeerConnection({
          iceServers: [{ urls: ${JSON.stringify(coturn.url)}, username: ${JSON.stringify(username)}, credential: ${JSON.stringify(credential)} }],
          iceTransportPolicy: 'relay',
        });
        pc.createDataChannel('probe');
        let relays = 0;
        const done = new Promise((resolve) => {
          pc.onicecandidate = (e) => { if (!e.candidate) resolve(); else if (e.candidate.type === 'relay') relays++; };
        });
        await pc.setLocalDescription(await pc.createOffer());
        await done;
        pc.close();
        return relays;
      })()`);
    const turn = { urls: [coturn.url], secret: () => TURN_SECRET, ttlSeconds: 600 };
    const fresh = turnCredential(turn, 'probe-user', new Date());
    const expired = turnCredential(turn, 'probe-user', new Date(Date.now() - 3600_000));
    expect(await relayCandidates(fresh.username, fresh.credential)).toBeGreaterThan(0);
    expect(await relayCandidates(expired.username, expired.credential)).toBe(0);
    // And one signed with another secret.
    const forged = turnCredential(
      { ...turn, secret: () => 'not-the-shared-secret!' },
      'x',
      new Date(),
    );
    expect(await relayCandidates(forged.username, forged.credential)).toBe(0);
  });
});

function pulseDirs(): Set<string> {
  return new Set(
    fs
      .readdirSync(os.tmpdir())
      .filter((n) => n.startsWith('pulse-'))
      .map((n) => path.join(os.tmpdir(), n)),
  );
}
