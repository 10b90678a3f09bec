import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createUser, MINUTE, TestClock, totpNow, type TestUser } from '../http/auth/sign-in.js';
import { canaryPatient, canarySecrets } from '../support/canary.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { readBundle, syntheaFiles } from '../support/synthea.js';
import {
  browserStores,
  buildWebApp,
  cspViolations,
  expectAccessible,
  expectNoCanary,
  launchChromium,
  newProfile,
  screenshot,
  signInThroughPage,
  watchConsole,
} from './browser.js';

type Json = Record<string, unknown> & { id: string };
const GRANT_MINUTES = 10;
const CANARY = 9417;
const STRANGER_NAME = 'Emergencia Strangerfield';

/**
 * The clinician workspace in Chromium against a real server (ADR 0025): a physician's day on a
 * Synthea patient's chart — search, the trend chart, a recorded vital sign, a note written,
 * signed and (refused) edited — then a patient outside their care (no data, the request id,
 * break-glass), the emergency banner while the grant lasts and the chart gone when it ends,
 * and logoff leaving no canary PHI anywhere in the page or its stores. SQLite only, as the
 * other browser tests: the server rules under the pages run on both engines in test/http.
 */
describe('clinician workspace in Chromium', () => {
  const clock = new TestClock();
  let t: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const consoles = new Map<Page, string[]>();
  let practitioner: string;
  let synthea: { id: string; family: string; given: string; birthDate: string; mrn: string };
  let canary: string;
  let stranger: string;

  const create = async (body: Record<string, unknown>): Promise<Json> => {
    const res = await t.request('POST', `/fhir/R4/${String(body.resourceType)}`, { body });
    if (res.status !== 201) throw new Error(`fixture failed: ${res.status} ${res.text}`);
    return res.json() as Json;
  };
  const careTeam = (patient: string) =>
    create({
      resourceType: 'CareTeam',
      status: 'active',
      subject: { reference: `Patient/${patient}` },
      participant: [{ member: { reference: `Practitioner/${practitioner}` } }],
    });

  beforeAll(async () => {
    buildWebApp();
    [t, browser] = await Promise.all([
      startTestServer('sqlite', {
        clock: clock.fn,
        env: { HAVEN_BREAK_GLASS_MINUTES: String(GRANT_MINUTES) },
      }),
      launchChromium(),
    ]);
    // The smallest Synthea bundle: a realistic record with vitals and labs over several visits.
    const file = syntheaFiles().find((f) => f.includes('Clemente_Kreiger'))!;
    const bundle = readBundle(file);
    const imported = await t.request('POST', '/fhir/R4', { body: bundle });
    expect(imported.status).toBe(200);
    const locations = (
      imported.json() as unknown as { entry: { response: { location: string } }[] }
    ).entry.map((e) => e.response.location);
    const patientIndex = bundle.entry.findIndex((e) => e.resource.resourceType === 'Patient');
    const p = bundle.entry[patientIndex]!.resource as unknown as {
      name: { family: string; given: string[] }[];
      birthDate: string;
      identifier: { system: string; value: string }[];
    };
    synthea = {
      id: locations[patientIndex]!.split('/')[1]!,
      family: p.name[0]!.family,
      given: p.name[0]!.given[0]!,
      birthDate: p.birthDate,
      mrn: p.identifier.find((i) => i.system === 'http://hospital.smarthealthit.org')!.value,
    };
    practitioner = (
      await create({
        resourceType: 'Practitioner',
        name: [{ family: 'Clinician', given: ['Testa'] }],
      })
    ).id;
    await careTeam(synthea.id);
    const subject = { reference: `Patient/${synthea.id}` };
    await create({
      resourceType: 'AllergyIntolerance',
      patient: subject,
      clinicalStatus: {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical',
            code: 'active',
          },
        ],
      },
      code: { text: 'Synthetic allergy to penicillin' },
      criticality: 'high',
    });
    await create({
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject,
      medicationCodeableConcept: { text: 'Synthetic lisinopril 10 mg' },
    });
    canary = (await create(canaryPatient(CANARY))).id;
    await careTeam(canary);
    const [strangerGiven, strangerFamily] = STRANGER_NAME.split(' ');
    stranger = (
      await create({
        resourceType: 'Patient',
        name: [{ given: [strangerGiven], family: strangerFamily, text: STRANGER_NAME }],
        birthDate: '1950-03-04',
      })
    ).id;
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') {
      let i = 0;
      for (const page of consoles.keys()) {
        if (!page.isClosed())
          await page.screenshot({ path: `.tmp/clinician-failed-${(i += 1)}.png` });
      }
    }
    // The chart (recharts' SVG included) renders under the strict CSP: no refusal anywhere.
    for (const [page, lines] of consoles) {
      if (!page.isClosed()) {
        expect(await cspViolations(page)).toEqual([]);
        expect(await page.locator('style').count()).toBe(0);
      }
      expect(lines).toEqual([]);
    }
    consoles.clear();
    for (const c of contexts.splice(0)) await c.close();
  });

  const physician = () =>
    createUser(t, clock, { totp: true, roles: ['physician'], practitionerId: practitioner });
  const open = async (fakeTimers: boolean) => {
    const context = await newProfile(browser);
    contexts.push(context);
    if (fakeTimers) await context.clock.install();
    const page = await context.newPage();
    consoles.set(page, watchConsole(page));
    await page.goto(new URL('/signin', t.server.url).href);
    return { context, page };
  };
  const signIn = async (page: Page, user: TestUser) => {
    await signInThroughPage(page, { ...user, totpSecret: user.totpSecret! }, (s) =>
      totpNow(s, clock),
    );
    clock.advance(MINUTE);
  };
  const heading = (page: Page, name: string | RegExp) =>
    page.getByRole('heading', { name, level: 1 });
  const myPatients = async (page: Page) => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'My patients' })
      .click();
    await heading(page, 'My patients').waitFor();
  };
  const fhirPosts = (page: Page, type: string) => {
    const sent: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === `/fhir/R4/${type}`)
        sent.push(r.url());
    });
    return sent;
  };
  const stored = async (type: string, query: string) =>
    (
      (await t.request('GET', `/fhir/R4/${type}?${query}`)).json() as unknown as {
        entry?: { resource: Json }[];
      }
    ).entry?.map((e) => e.resource) ?? [];

  it('searches, opens a Synthea chart with its trend, records a vital, writes and signs a note; the signed note refuses an edit', async () => {
    const user = await physician();
    const { page } = await open(false);
    await signIn(page, user);
    await myPatients(page);
    const list = page.getByTestId('my-patients');
    // Both patients in this physician's care; nobody else.
    await list
      .getByRole('cell', { name: new RegExp(synthea.family) })
      .first()
      .waitFor();
    await list
      .getByRole('cell', { name: new RegExp(`Zebedee${CANARY}`) })
      .first()
      .waitFor();
    expect(await list.locator('tbody tr').count()).toBe(2);
    expect(await list.getByText(STRANGER_NAME).count()).toBe(0);

    // Search by name, then birth date, then identifier: each finds the one patient.
    const search = async (label: string, value: string) => {
      await page.getByRole('button', { name: 'Clear' }).click();
      await page.getByLabel(label).fill(value);
      await page.getByRole('button', { name: 'Search' }).click();
      await expect.poll(() => list.locator('tbody tr').count()).toBe(1);
      expect(await list.locator('tbody tr').first().textContent()).toContain(synthea.family);
    };
    await search('Name', synthea.family);
    await search('Birth date', synthea.birthDate);
    await search('Identifier', synthea.mrn);
    // Checked before sending: a malformed birth date is refused on screen.
    await page.getByLabel('Birth date').fill('02/07/1984');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('Use the form YYYY-MM-DD').waitFor();
    await page.getByLabel('Birth date').fill('');
    // No search term reaches the address bar.
    expect(new URL(page.url()).search).toBe('');
    expect(page.url()).not.toContain(synthea.family);
    await expectAccessible(page, 'clinician-patients');
    await screenshot(page, 'clinician-patients');

    // The chart: demographics, lists, and the trend of a vital sign drawn as SVG.
    await list
      .getByRole('button', { name: /Open chart/ })
      .first()
      .click();
    await heading(page, new RegExp(`Chart: .*${synthea.family}`)).waitFor();
    expect(new URL(page.url()).pathname).toBe('/chart');
    expect(page.url()).not.toContain(synthea.id);
    await page.getByTestId('demographics').getByText(synthea.birthDate).waitFor();
    await page
      .getByTestId('chart-AllergyIntolerance')
      .getByText(/penicillin/)
      .waitFor();
    await page
      .getByTestId('chart-MedicationRequest')
      .getByText(/lisinopril/)
      .waitFor();
    await page.getByTestId('chart-Condition').locator('tbody tr').first().waitFor();
    await page.getByTestId('chart-Encounter').locator('tbody tr').first().waitFor();
    const trend = page.getByTestId('trend-chart');
    await expect.poll(() => trend.locator('svg .recharts-line path').count()).toBeGreaterThan(0);
    const bodyFor = (code: string) =>
      stored('Observation', `patient=${synthea.id}&code=http://loinc.org|${code}`);
    const systolicCount = (await bodyFor('85354-9')).length + (await bodyFor('55284-4')).length;
    expect(systolicCount).toBeGreaterThan(1);
    await expect
      .poll(() => page.getByTestId('trend-values').locator('tbody tr').count())
      .toBe(systolicCount);
    // A lab series is offered too.
    const trendOf = page.getByLabel('Trend of');
    expect(await trendOf.locator('option', { hasText: 'lab' }).count()).toBeGreaterThan(0);
    await expectAccessible(page, 'clinician-chart');
    await screenshot(page, 'clinician-chart');

    // Recording a heart rate: an implausible value never leaves the page; a plausible one does.
    const posts = fhirPosts(page, 'Observation');
    await page
      .getByLabel('Vital sign', { exact: true })
      .selectOption({ label: 'Heart rate (beats/min)' });
    await page.getByLabel('Value in beats/min').fill('720');
    await page.getByRole('button', { name: 'Record', exact: true }).click();
    await page.getByText('Expected between 20 and 250 beats/min').waitFor();
    await page.getByLabel('Value in beats/min').fill('7 2');
    await page.getByRole('button', { name: 'Record', exact: true }).click();
    await page.getByText('Enter a number').waitFor();
    expect(posts).toEqual([]);
    await page.getByLabel('Value in beats/min').fill('72');
    await page.getByRole('button', { name: 'Record', exact: true }).click();
    await page.getByTestId('vital-recorded').waitFor();
    expect(posts).toHaveLength(1);
    await expect.poll(() => trendOf.inputValue()).toBe('8867-4');
    await page.getByTestId('trend-values').getByText('72 beats/min').waitFor();
    const heartRates = await bodyFor('8867-4');
    expect(heartRates).toHaveLength(1);
    expect(heartRates[0]).toMatchObject({
      status: 'final',
      category: [{ coding: [{ code: 'vital-signs' }] }],
      valueQuantity: { value: 72, system: 'http://unitsofmeasure.org', code: '/min' },
      performer: [{ reference: `Practitioner/${practitioner}` }],
    });

    // A note: checked before sending, saved as a draft, edited, signed.
    const notePosts = fhirPosts(page, 'DocumentReference');
    await page.getByRole('button', { name: 'Write a note' }).click();
    await page.getByRole('button', { name: 'Sign note' }).click();
    await page.getByText('Write the note').waitFor();
    expect(notePosts).toEqual([]);
    await page
      .getByRole('textbox', { name: 'Note', exact: true })
      .fill('Synthetic visit: feels well.');
    await page.getByRole('button', { name: 'Save draft' }).click();
    const notes = page.getByTestId('notes');
    await notes.getByText('Draft', { exact: true }).waitFor();
    await notes.getByRole('button', { name: /^Edit draft/ }).click();
    await page
      .getByRole('textbox', { name: 'Note', exact: true })
      .fill('Synthetic visit: feels well. BP fine.');
    await page.getByRole('button', { name: 'Sign note' }).click();
    await notes.getByText('Signed', { exact: true }).waitFor();
    await notes.getByText('Synthetic visit: feels well. BP fine.').waitFor();
    const [note] = await stored('DocumentReference', `patient=${synthea.id}`);
    expect(note).toMatchObject({
      status: 'current',
      docStatus: 'final',
      type: { coding: [{ system: 'http://loinc.org', code: '11506-3' }] },
      author: [{ reference: `Practitioner/${practitioner}` }],
      authenticator: { reference: `Practitioner/${practitioner}` },
      content: [{ attachment: { contentType: 'text/plain; charset=utf-8' } }],
      meta: { versionId: '2' },
    });

    // Editing the signed note: the server refuses, the page says so with the request id.
    await notes.getByRole('button', { name: /^Edit Progress note/ }).click();
    await page.getByText('This note is signed.').waitFor();
    await page.getByRole('textbox', { name: 'Note', exact: true }).fill('Changed after signing.');
    const answer = page.waitForResponse(
      (r) => r.request().method() === 'PUT' && r.url().includes('/fhir/R4/DocumentReference/'),
    );
    await page.getByRole('button', { name: 'Save changes' }).click();
    const refused = await answer;
    expect(refused.status()).toBe(422);
    const alert = page.getByRole('alert').filter({ hasText: 'The note was not saved' });
    await alert.getByText(/A signed note is final/).waitFor();
    expect(await alert.getByTestId('request-id').textContent()).toContain(
      refused.headers()['x-request-id']!,
    );
    const after = await t.request('GET', `/fhir/R4/DocumentReference/${note!.id}`);
    expect(after.json()).toMatchObject({ meta: { versionId: '2' } });
    await expectAccessible(page, 'clinician-note');
    await screenshot(page, 'clinician-note');

    // The correction: a new signed note that replaces it; the old one is marked superseded.
    await page.getByRole('button', { name: 'Cancel' }).click();
    await notes.getByRole('button', { name: /^Write a correction/ }).click();
    await page
      .getByRole('textbox', { name: 'Note', exact: true })
      .fill('Synthetic correction: BP 128/82.');
    await page.getByRole('button', { name: 'Sign note' }).click();
    await notes.getByText('Superseded', { exact: true }).waitFor();
    const old = (await t.request('GET', `/fhir/R4/DocumentReference/${note!.id}`)).json();
    expect(old).toMatchObject({ status: 'superseded', docStatus: 'final' });
  }, 120_000);

  it('denies a patient outside their care, breaks the glass with a banner on every screen, loses the chart when the grant ends, then logs off idle leaving no PHI', async () => {
    const user = await physician();
    const { context, page } = await open(true);
    const idle = async (ms: number) => {
      clock.advance(ms);
      await context.clock.fastForward(ms);
    };
    await signIn(page, user);
    await myPatients(page);
    await page.getByLabel('Patient record id').fill(stranger);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    const denied = page.getByTestId('no-relationship');
    await denied.getByText('You have no care relationship with this patient').waitFor();
    expect(await denied.getByTestId('request-id').textContent()).toMatch(/Request id: \S+/);
    // Nothing of the patient: not the name, not the birth date.
    const html = await page.content();
    expect(html).not.toContain('Strangerfield');
    expect(html).not.toContain('1950-03-04');
    expect(await page.getByTestId('chart').count()).toBe(0);
    await expectAccessible(page, 'clinician-denied');

    // Break-glass: the reason is checked first; then the password confirms it is the person.
    const bgPosts: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/break-glass' && r.method() === 'POST')
        bgPosts.push(r.url());
    });
    await denied.getByRole('button', { name: 'Request emergency access' }).click();
    await denied.getByText(/State the emergency/).waitFor();
    await denied.getByText('Enter your password to confirm it is you').waitFor();
    expect(bgPosts).toEqual([]);
    await denied
      .getByLabel(/^Reason for emergency access/)
      .fill('Synthetic emergency: unconscious in the clinic');
    await denied.getByLabel(/^Your password/).fill(user.password);
    await denied.getByRole('button', { name: 'Request emergency access' }).click();
    const banner = page.getByTestId('emergency-banner');
    await banner.waitFor();
    const grantEnds = new Date(clock.now.getTime() + GRANT_MINUTES * MINUTE);
    expect(await banner.getByTestId('emergency-ends').textContent()).toBe(
      `${grantEnds.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    );
    await heading(page, new RegExp(`Chart: ${STRANGER_NAME}`)).waitFor();
    await banner.getByText(new RegExp(STRANGER_NAME)).waitFor();
    await expectAccessible(page, 'break-glass-banner');
    await screenshot(page, 'break-glass-banner');
    // On every screen while the grant lasts.
    await page.getByRole('link', { name: 'Home' }).click();
    await heading(page, 'Welcome to Haven').waitFor();
    await banner.waitFor();
    await myPatients(page);
    await banner.waitFor();
    await banner.getByRole('button', { name: 'Open the chart' }).click();
    await heading(page, new RegExp(`Chart: ${STRANGER_NAME}`)).waitFor();

    // The grant's time passes (the session stays alive: 11 of its 15 idle minutes).
    await idle((GRANT_MINUTES + 1) * MINUTE);
    await banner.waitFor({ state: 'detached' });
    await denied.getByText('You have no care relationship with this patient').waitFor();
    expect(await page.content()).not.toContain('Strangerfield');

    // Back to the list (the canary patient is on screen), then idle to the automatic logoff.
    await myPatients(page);
    await page
      .getByTestId('my-patients')
      .getByRole('cell', { name: new RegExp(`Zebedee${CANARY}`) })
      .first()
      .waitFor();
    const before = (await browserStores(page)).text;
    expect(canarySecrets(CANARY).some((s) => before.includes(s))).toBe(true);
    // The page plans its logoff from its last look at the session: let it look once more now.
    const polled = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/session');
    await idle(20_000);
    await polled;
    await idle(13 * MINUTE);
    await page.getByRole('alertdialog').waitFor();
    await idle(2 * MINUTE);
    await heading(page, 'Sign in to Haven').waitFor();
    const { text, stores } = await browserStores(page);
    expectNoCanary(text);
    expect(text).not.toContain('Strangerfield');
    expect(text).not.toContain(synthea.family);
    expect(stores).toEqual([]);
    expect(page.url()).not.toContain(canary);
  }, 120_000);

  it('signs out from an open canary chart, leaving nothing of it in the DOM or the stores', async () => {
    const user = await physician();
    const { page } = await open(false);
    await signIn(page, user);
    await myPatients(page);
    await page
      .getByTestId('my-patients')
      .getByRole('button', { name: new RegExp(`Open chart of Zebedee${CANARY}`) })
      .click();
    await heading(page, new RegExp(`Canarywing${CANARY}`)).waitFor();
    await page
      .getByTestId('demographics')
      .getByText(`CANARY-MRN-${CANARY}`, { exact: false })
      .waitFor();
    const shown = await page.content();
    expect(canarySecrets(CANARY).some((s) => shown.includes(s))).toBe(true);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading(page, 'Sign in to Haven').waitFor();
    const { text, stores } = await browserStores(page);
    expectNoCanary(text);
    expect(stores).toEqual([]);
    // The chart cannot be reopened from history: the open patient went with the cache.
    await page.goBack();
    await heading(page, 'Sign in to Haven').waitFor();
    expectNoCanary(await page.content());
  }, 60_000);
});
